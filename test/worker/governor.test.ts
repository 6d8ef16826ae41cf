import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env.ts";
import { governorFor } from "../../src/scheduler/lease.ts";

describe("the governor's signals fade with time", () => {
  it("gives tasks the whole provider back within seconds of a realtime latency burst ending", async () => {
    const gov = governorFor(env as unknown as Bindings, `decay-${crypto.randomUUID()}`);
    const limits = { maxConcurrency: 4 };
    const call = async (lane: "realtime" | "task", latencyMs: number) => {
      const got = await gov.acquire({ lane, tenant: "t", limits, tokens: 1, waitMs: 0 });
      if (!got.ok) throw new Error(`no ${lane} slot`);
      await gov.release(got.leaseId, { status: 200, latencyMs });
    };
    // A realtime baseline, then a burst at eight times the latency: the task limit is cut.
    for (let i = 0; i < 10; i++) await call("realtime", 100);
    for (let i = 0; i < 10; i++) await call("realtime", 800);
    const cut = await gov.status(limits);
    expect(cut.taskLimit).toBeLessThan(4);
    // Realtime stops. Tasks keep completing; once the burst's latency has faded, they regrow the limit.
    const started = Date.now();
    let limit = cut.taskLimit;
    while (limit < 4 && Date.now() - started < 15_000) {
      await call("task", 50);
      limit = (await gov.status(limits)).taskLimit;
      await scheduler.wait(50);
    }
    expect(limit).toBe(4);
  });
});
