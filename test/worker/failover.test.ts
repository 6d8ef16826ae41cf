/**
 * Two deployments of one model (one provider, two keys; the simulator fails one key on purpose):
 * calls fail over to the healthy one, the failing one's breaker opens and it then gets only the
 * half-open probes, traffic returns when it recovers, a revoked key fails over, and a task flood
 * spreads over both deployments' headroom.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN, adminKey, call, callWith, logRows, simConfigure, simUrl } from "./helpers.ts";

type Json = Record<string, any>;

const KEY_A = "sk-sim-pair-keyAAA";
const KEY_B = "sk-sim-pair-keyBBB";
const LABEL_A = "…keyAAA";
const LABEL_B = "…keyBBB";

async function byKey(): Promise<Record<string, { requests: number; completed: number; maxInFlight: number }>> {
  return ((await (await fetch(`${simUrl()}/sim/stats`)).json()) as Json).byKey;
}

/**
 * A provider whose one model is served by two keys (two deployments), in this order. Each test
 * names its own upstream model: deployments on the same address, key and upstream model share one
 * governor (their capacity and health are the upstream's), so tests must not share them.
 */
async function pair(name: string, breaker: Json = {}, maxConcurrency = 8): Promise<string> {
  const model = `${name}-model`;
  const upstream = `${name}-upstream`;
  const res = await call("/api/providers", {
    method: "POST",
    key: ADMIN,
    json: { name, type: "openai-compatible", base_url: `${simUrl()}/v1`, keys: [{ name: "a", api_key: KEY_A }, { name: "b", api_key: KEY_B }], limits: { max_concurrency: maxConcurrency }, breaker: { cooldown_ms: 300, ...breaker }, models: [{ name: model, upstream_model: upstream }] },
  });
  if (res.status !== 201) throw new Error(`${res.status} ${await res.text()}`);
  return model;
}

const ask = (key: string, model: string, content = "hello") => call("/v1/chat/completions", { method: "POST", key, json: { model, messages: [{ role: "user", content }] } });

beforeEach(async () => {
  await simConfigure({ apiKeys: [KEY_A, KEY_B], keyFaults: {} });
});
afterEach(async () => {
  await simConfigure({ apiKeys: null, keyFaults: {} });
});

describe("two deployments of one model", () => {
  it("one answering 500: every call succeeds through the other; once open, the failing one gets only probes; traffic returns when it recovers", async () => {
    const model = await pair("pair500");
    const key = await adminKey();
    await simConfigure({ keyFaults: { [KEY_A]: "500" } });
    const before = await byKey();
    const statuses: number[] = [];
    const deployments = new Set<string>();
    const startedAt = Date.now();
    for (let i = 0; i < 100; i++) {
      const res = await ask(key, model);
      statuses.push(res.status);
      deployments.add(res.headers.get("x-gateway-deployment") ?? "");
      if (i === 0) expect(res.headers.get("x-gateway-attempts")).toBe("2");
      await res.arrayBuffer();
    }
    const elapsed = Date.now() - startedAt;
    expect(statuses.filter((s) => s === 200).length).toBe(100);
    expect([...deployments]).toEqual(["pair500/b/pair500-upstream"]);
    const after = await byKey();
    const toA = after[LABEL_A]!.requests - (before[LABEL_A]?.requests ?? 0);
    // 5 failures open the breaker; then one probe per cooldown (300 ms, doubling after each failed probe).
    let probes = 0;
    for (let t = 0, cooldown = 300; t < elapsed; cooldown *= 2) ((t += cooldown), probes++);
    expect(toA).toBeGreaterThanOrEqual(5);
    expect(toA).toBeLessThanOrEqual(5 + probes);
    expect(after[LABEL_B]!.completed - (before[LABEL_B]?.completed ?? 0)).toBe(100);

    // Each failed attempt is logged with its deployment, as the call's first attempt.
    const logs = await logRows(`model=${model}&limit=300`, (rows) => rows.some((r) => r.attempt === 2));
    expect(logs.some((r) => r.deployment === "pair500/a/pair500-upstream" && r.attempt === 1 && r.status === 502)).toBe(true);
    expect(logs.some((r) => r.deployment === "pair500/b/pair500-upstream" && r.attempt === 2 && r.status === 200)).toBe(true);

    // Recovery: the next probe after the cooldown succeeds, the breaker closes, and the first deployment serves again.
    await simConfigure({ keyFaults: {} });
    let backOnA = false;
    for (let i = 0; i < 200 && !backOnA; i++) {
      const res = await ask(key, model);
      expect(res.status).toBe(200);
      backOnA = res.headers.get("x-gateway-deployment") === "pair500/a/pair500-upstream";
      await res.arrayBuffer();
      if (!backOnA) await scheduler.wait(25);
    }
    expect(backOnA).toBe(true);
  });

  it("one hanging: calls fail over after its timeout, and once its breaker opens they go straight to the other", async () => {
    const model = await pair("pairhang");
    const key = await adminKey();
    await simConfigure({ keyFaults: { [KEY_A]: "hang" } });
    const fast = { UPSTREAM_TIMEOUT_MS: "300" };
    // One after another (the simulator's own cap counts hanging calls until they are dropped).
    for (let i = 0; i < 5; i++) {
      const res = await callWith(fast, "/v1/chat/completions", { method: "POST", key, json: { model, messages: [{ role: "user", content: "hi" }] } });
      expect(res.status).toBe(200);
      expect([res.headers.get("x-gateway-deployment"), res.headers.get("x-gateway-attempts")]).toEqual(["pairhang/b/pairhang-upstream", "2"]);
      await res.arrayBuffer();
    }
    // Five timeouts opened the breaker: the next call does not wait on the hanging deployment.
    const startedAt = Date.now();
    const next = await callWith(fast, "/v1/chat/completions", { method: "POST", key, json: { model, messages: [{ role: "user", content: "hi" }] } });
    expect(next.status).toBe(200);
    expect(next.headers.get("x-gateway-attempts")).toBe("1");
    expect(Date.now() - startedAt).toBeLessThan(300);
  });

  it("a revoked key: calls fail over to the provider's other key", async () => {
    const model = await pair("pairkey");
    const key = await adminKey();
    await simConfigure({ apiKeys: [KEY_B] });
    const res = await ask(key, model);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-deployment")).toBe("pairkey/b/pairkey-upstream");
    const logs = await logRows(`model=${model}`, (rows) => rows.some((r) => r.deployment === "pairkey/a/pairkey-upstream"));
    expect(logs.find((r) => r.deployment === "pairkey/a/pairkey-upstream")).toMatchObject({ status: 502, error: expect.stringContaining("rejected the gateway's credentials") });
  });

  it("never fails over a request the upstream refused as the caller's mistake", async () => {
    const model = await pair("pair400");
    const res = await ask(await adminKey(), model, "x [sim:fault=500]");
    // The fault directive makes every deployment fail: two attempts, then the last error.
    expect(res.status, await res.clone().text()).toBe(502);
    expect(res.headers.get("x-gateway-attempts")).toBe("2");
    // The upstream refuses the request itself (a tool without a name): the same on every deployment, so one attempt.
    const bad = await call("/v1/chat/completions", { method: "POST", key: await adminKey(), json: { model, messages: [{ role: "user", content: "x" }], tools: [{ type: "function", function: {} }] } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).error.code).toBe("upstream_bad_request");
    expect(bad.headers.get("x-gateway-attempts")).toBe("1");
  });

  it("answers with the failure that sent it on, when the next deployment has no slot", async () => {
    const res = await call("/api/providers", {
      method: "POST",
      key: ADMIN,
      json: { name: "pairfull", type: "openai-compatible", base_url: `${simUrl()}/v1`, keys: [{ name: "a", api_key: KEY_A }, { name: "b", api_key: KEY_B, limits: { max_concurrency: 1 } }], limits: { max_concurrency: 8 }, models: [{ name: "pairfull-model", upstream_model: "pairfull-upstream" }] },
    });
    expect(res.status).toBe(201);
    const key = await adminKey();
    await simConfigure({ keyFaults: { [KEY_A]: "500", [KEY_B]: "hang" } });
    // The first call fails on a and waits on b (hanging, holding b's one slot).
    const before = (await byKey())[LABEL_B]?.requests ?? 0;
    const holding = ask(key, "pairfull-model");
    for (let i = 0; i < 100 && ((await byKey())[LABEL_B]?.requests ?? 0) === before; i++) await scheduler.wait(20);
    // No wait for b's slot (REALTIME_WAIT_MS 1 ms): b is still held however slowly this call starts.
    const second = await callWith({ REALTIME_WAIT_MS: "1" }, "/v1/chat/completions", { method: "POST", key, json: { model: "pairfull-model", messages: [{ role: "user", content: "hello" }] } });
    expect(second.status, await second.clone().text()).toBe(502);
    expect([second.headers.get("x-gateway-deployment"), second.headers.get("x-gateway-attempts")]).toEqual(["pairfull/a/pairfull-upstream", "1"]);
    expect(((await second.json()) as Json).error.message).toMatch(/failed/);
    await simConfigure({ keyFaults: {} });
    await (await holding).arrayBuffer();
  });

  it("a task flood uses both deployments' headroom", async () => {
    // Two slots per key: together the simulator's own cap, so no call meets an upstream 429.
    const model = await pair("pairtasks", {}, 2);
    const key = await adminKey();
    const before = await byKey();
    const submitted = await Promise.all(Array.from({ length: 16 }, (_, i) => call("/v1/tasks", { method: "POST", key, json: { model, messages: [{ role: "user", content: `t${i} [sim:latency=300]` }] } })));
    const ids = await Promise.all(submitted.map(async (r) => ((await r.json()) as { id: string }).id));
    for (const id of ids) {
      for (let i = 0; i < 300; i++) {
        const t = (await (await call(`/v1/tasks/${id}`, { key })).json()) as { status: string };
        if (t.status === "succeeded") break;
        expect(["queued", "running"]).toContain(t.status);
        await scheduler.wait(20);
      }
    }
    const after = await byKey();
    expect(after[LABEL_A]!.completed - (before[LABEL_A]?.completed ?? 0)).toBeGreaterThan(0);
    expect(after[LABEL_B]!.completed - (before[LABEL_B]?.completed ?? 0)).toBeGreaterThan(0);
  });
});
