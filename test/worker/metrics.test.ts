/** /metrics: Prometheus text that a parser reads, aggregated from D1 and the governors, moving with traffic. */
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { ADMIN, call, callWith, chat, userWithKey } from "./helpers.ts";

interface ParsedFamily { name: string; type: string; metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string; sum?: string }[] }

/** The families as the parser reads them (it throws on malformed text), and the raw text. */
async function scrape(key = ADMIN): Promise<Map<string, ParsedFamily> & { text: string }> {
  const res = await call("/metrics", { key });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return Object.assign(new Map((parsePrometheusTextFormat(text) as ParsedFamily[]).map((f) => [f.name, f])), { text });
}

/**
 * A labelled histogram series' samples from the raw text: the parser folds every series of a
 * histogram into one, so the check of buckets against the count reads the lines themselves.
 */
function histogramSeries(text: string, name: string, labels: string): { buckets: Map<string, number>; count: number } {
  const buckets = new Map<string, number>();
  let count = Number.NaN;
  for (const line of text.split("\n")) {
    const bucket = new RegExp(`^${name}_bucket\\{${labels},le="([^"]+)"\\} (\\S+)$`).exec(line);
    if (bucket) buckets.set(bucket[1]!, Number(bucket[2]));
    const c = new RegExp(`^${name}_count\\{${labels}\\} (\\S+)$`).exec(line);
    if (c) count = Number(c[1]);
  }
  return { buckets, count };
}

const simSmall200 = (f: ParsedFamily | undefined) => f?.metrics.filter((m) => m.labels?.model === "sim-small" && m.labels?.lane === "realtime" && m.labels?.status === "200") ?? [];
const total = (f: ParsedFamily | undefined) => simSmall200(f).reduce((n, m) => n + Number(m.value ?? m.count ?? 0), 0);

describe("/metrics", () => {
  it("parses as Prometheus text and moves with traffic", async () => {
    const before = await scrape();
    const u = await userWithKey();
    for (let i = 0; i < 3; i++) expect((await chat(u.key)).status).toBe(200);
    let after = before;
    for (let i = 0; i < 100 && total(after.get("gateway_requests_total")) < total(before.get("gateway_requests_total")) + 3; i++) {
      await scheduler.wait(20);
      after = await scrape();
    }
    expect(total(after.get("gateway_requests_total"))).toBe(total(before.get("gateway_requests_total")) + 3);
    expect(after.get("gateway_requests_total")?.type).toBe("COUNTER");
    expect(after.get("gateway_request_duration_seconds")?.type).toBe("HISTOGRAM");
    const series = 'model="sim-small",provider="sim",lane="realtime",status="200"';
    const h = histogramSeries(after.text, "gateway_request_duration_seconds", series);
    expect(h.count).toBe(total(after.get("gateway_requests_total")));
    expect(h.buckets.get("+Inf")).toBe(h.count);
    // Cumulative: each bucket holds at least the one below it.
    const counts = [...h.buckets.values()];
    expect(counts.every((n, i) => i === 0 || n >= counts[i - 1]!)).toBe(true);
    expect(total(after.get("gateway_cost_usd_total"))).toBeGreaterThan(total(before.get("gateway_cost_usd_total")));
    const tokens = after.get("gateway_tokens_total")!.metrics.filter((m) => m.labels?.model === "sim-small" && m.labels?.direction === "prompt");
    expect(tokens.length).toBeGreaterThan(0);

    // From the governors: the lanes, the cap and the breaker of the simulator's deployment.
    const sim = (name: string) => after.get(name)!.metrics.filter((m) => m.labels?.model === "sim-small");
    expect(sim("gateway_max_concurrency")[0]?.value).toBe("4");
    expect(sim("gateway_lane_in_flight").map((m) => m.labels?.lane).sort()).toEqual(["realtime", "task"]);
    expect(sim("gateway_breaker_state").find((m) => m.labels?.state === "closed")?.value).toBe("1");
    expect(after.has("gateway_upstream_429_total")).toBe(true);
    expect(after.has("gateway_preemptions_total")).toBe(true);
    expect(after.has("gateway_tasks")).toBe(true);
  });

  it("is for admins or the METRICS_TOKEN only", async () => {
    const u = await userWithKey();
    expect((await call("/metrics", { key: u.key })).status).toBe(403);
    expect((await call("/metrics")).status).toBe(401);
    const token = "metrics-token-0123456789";
    expect((await callWith({ METRICS_TOKEN: token }, "/metrics", { key: token })).status).toBe(200);
    expect((await callWith({ METRICS_TOKEN: token }, "/metrics", { key: "metrics-token-wrong-0000" })).status).toBe(401);
  });
});
