import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env.ts";
import type { Governor } from "../../src/scheduler/governor.ts";
import { governorFor } from "../../src/scheduler/lease.ts";
import { ADMIN, adminKey, call, callWith, chat, governorOfModel, simReset, simStats, simUrl } from "./helpers.ts";

const CAP = 4; // the simulator's hard cap and the provider's max_concurrency (see vitest.config.ts)

describe("governor enforces max_concurrency across all callers", () => {
  it("200 parallel realtime calls never make the simulator see more than the cap in flight", async () => {
    await simReset();
    const key = await adminKey();
    // ~40 ms per call: a cap of 4 drains 200 calls well inside the 1.5 s realtime wait.
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => chat(key, `n${i} [sim:latency=30][sim:tokens=2]`)));
    const statuses = results.map((r) => r.status);
    const refusals = await Promise.all(results.filter((r) => r.status === 429).map(async (r) => ({ retryAfter: r.headers.get("retry-after"), code: ((await r.json()) as { error: { code: string } }).error.code })));
    await Promise.all(results.filter((r) => r.status !== 429).map((r) => r.body?.cancel()));
    const stats = await simStats();
    expect(stats.maxInFlight).toBeLessThanOrEqual(CAP);
    expect(stats.maxInFlight).toBe(CAP); // the cap was actually used, not under-filled
    expect(stats.rejected429).toBe(0);
    // Every call either completed or was refused by the gateway itself (its own code, a Retry-After),
    // never by the upstream. How many finish inside the wait depends on the machine's speed.
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(CAP);
    expect(refusals.every((r) => r.code === "capacity_exceeded" && Number(r.retryAfter) >= 1)).toBe(true);
  });

  it("answers 429 with Retry-After when no slot opens within the realtime wait", async () => {
    const key = await adminKey();
    const hogs = Array.from({ length: CAP }, () => chat(key, "hold [sim:fault=hang]"));
    // Wait until the governor has granted every slot to the hanging calls.
    const { governor: gov, limits } = await governorOfModel("sim-small");
    for (let i = 0; i < 200 && (await gov.status(limits)).realtimeInFlight < CAP; i++) await scheduler.wait(10);
    const refused = await chat(key, "me too");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as { error: { type: string; code: string } };
    expect(body.error).toMatchObject({ type: "rate_limit_error", code: "capacity_exceeded" });
    const done = await Promise.all(hogs);
    expect(done.map((r) => r.status)).toEqual(Array(CAP).fill(504));
  });
});

describe("leases expire when their holder dies", () => {
  it("reclaims a lease that is never released once its TTL passes", async () => {
    const stub = governorFor(env as unknown as Bindings, "expiry-test");
    const limits = { maxConcurrency: 1 };
    const first = await stub.acquire({ lane: "realtime", tenant: "t", limits, tokens: 1, waitMs: 0 });
    expect(first.ok).toBe(true);
    const blocked = await stub.acquire({ lane: "realtime", tenant: "t", limits, tokens: 1, waitMs: 0 });
    expect(blocked.ok).toBe(false);
    // The holder "dies": nobody releases or renews. Move its expiry into the past and fire the alarm.
    await runInDurableObject(stub, async (_instance: Governor, state) => {
      expect(await state.storage.getAlarm()).not.toBeNull();
      const snap = state.storage.kv.get<{ leases: { expiresAt: number }[] }>("policy")!;
      for (const lease of snap.leases) lease.expiresAt = Date.now() - 1;
      state.storage.kv.put("policy", snap);
    });
    // Reload from storage as after an eviction, then let the alarm sweep.
    await evictDurableObject(stub);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const again = await stub.acquire({ lane: "realtime", tenant: "t", limits, tokens: 1, waitMs: 0 });
    expect(again.ok).toBe(true);
    expect((await stub.status(limits)).expiredLeases).toBe(1);
  });
});

describe("capacity shares", () => {
  async function provider(name: string): Promise<string> {
    const res = await call("/api/providers", { method: "POST", key: ADMIN, json: { name, type: "openai-compatible", base_url: `${simUrl()}/v1`, api_key: "sk-sim-test", limits: { max_concurrency: 8 }, models: [{ name: `${name}-model`, upstream_model: `${name}-upstream` }] } });
    expect(res.status).toBe(201);
    return `${name}-model`;
  }
  const ask = (key: string, model: string, settings: Record<string, string> = {}) => callWith(settings, "/v1/chat/completions", { method: "POST", key, json: { model, messages: [{ role: "user", content: "hi" }] } });

  it("an isolate with steady realtime traffic gets a share of slots, which the governor counts in flight", async () => {
    const model = await provider("shared");
    const key = await adminKey();
    for (let i = 0; i < 30; i++) expect((await ask(key, model)).status).toBe(200);
    const { governor: gov, limits } = await governorOfModel(model);
    const status = await gov.status(limits);
    expect(status.shares.holders).toBe(1);
    expect(status.shares.slots).toBeGreaterThanOrEqual(1);
    // Calls admitted into the share are still counted by the governor (as realtime arrivals).
    expect(status.granted.realtime).toBeGreaterThanOrEqual(10);
    const listed = ((await (await call("/api/status", { key: ADMIN })).json()) as { data: { provider: string; deployments: { shares: unknown }[] }[] }).data;
    expect(listed.find((p) => p.provider === "shared")!.deployments[0]!.shares).toMatchObject({ holders: 1 });
  });

  it("CAPACITY_SHARES=false: every call asks the governor, and no share is held", async () => {
    const model = await provider("unshared");
    const key = await adminKey();
    for (let i = 0; i < 30; i++) expect((await ask(key, model, { CAPACITY_SHARES: "false" })).status).toBe(200);
    const { governor: gov, limits } = await governorOfModel(model);
    expect((await gov.status(limits)).shares).toEqual({ holders: 0, slots: 0 });
  });
});
