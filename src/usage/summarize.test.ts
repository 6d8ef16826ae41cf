import { describe, expect, it } from "vitest";
import type { NewRequestLog } from "../db/request-logs.ts";
import { latencyBucket, rollUp } from "./rollup.ts";
import { emptyTotals, percentile, statsView, type Totals } from "./summarize.ts";

const row = (latencyMs: number, status = 200, extra: Partial<NewRequestLog> = {}): NewRequestLog => ({ id: crypto.randomUUID(), createdAt: Date.parse("2026-11-22T23:30:00Z"), endpoint: "chat.completions", status, latencyMs, model: "m", provider: "p", lane: "realtime", userId: "u", promptTokens: 10, completionTokens: 5, costUsd: 0.001, ...extra });

describe("rollups", () => {
  it("fold rows into one row per day, owner, key, model, provider, lane and status", () => {
    const rolled = rollUp([row(20), row(40), row(70, 500), row(30, 200, { model: "n" })], 0);
    expect(rolled).toHaveLength(3);
    expect(rolled[0]).toMatchObject({ day: "2026-11-22", requests: 2, promptTokens: 20, le25: 1, le50: 1 });
    // In UTC+8 the same rows fall on the next day.
    expect(rollUp([row(20)], 480)[0]!.day).toBe("2026-11-23");
  });

  it("count rows with usage but no price as unpriced", () => {
    expect(rollUp([row(20, 200, { costUsd: null })], 0)[0]).toMatchObject({ unpriced: 1, costUsd: 0 });
    expect(rollUp([row(20, 500, { costUsd: null, promptTokens: null, completionTokens: null })], 0)[0]).toMatchObject({ unpriced: 0 });
  });

  it("put each latency in the first bucket that holds it", () => {
    expect([latencyBucket(0), latencyBucket(25), latencyBucket(26), latencyBucket(60_000), latencyBucket(60_001)]).toEqual(["le25", "le25", "le50", "le60000", "leInf"]);
  });
});

describe("stats", () => {
  it("estimate percentiles within the buckets and rate success", () => {
    // 90 answers at 80 ms, 10 failures at 900 ms, as the SQL sums would give them.
    const t: Totals = { ...emptyTotals(), requests: 100, succeeded: 90, failed: 10, latencyMsSum: 90 * 80 + 10 * 900 };
    t.buckets[2] = 90;
    t.buckets[5] = 10;
    const view = statsView(t);
    expect(view).toMatchObject({ requests: 100, succeeded: 90, failed: 10, success_rate: 0.9 });
    // 90 requests in (50, 100]: the median sits inside that bucket; p99 in (500, 1000].
    expect(view.latency_ms.p50).toBeGreaterThan(50);
    expect(view.latency_ms.p50).toBeLessThanOrEqual(100);
    expect(view.latency_ms.p99).toBeGreaterThan(500);
    expect(view.latency_ms.p99).toBeLessThanOrEqual(1000);
    expect(view.latency_ms.mean).toBe(162);
    expect(percentile([0, 0, 0], 0.5)).toBeNull();
  });
});
