/**
 * Health (seeds 001, 003, 004): per-model and per-deployment states, a check on demand, the model
 * test, the Cron Trigger's probes; and seed 002's backend registration with heartbeats.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../../src/index.ts";
import type { Bindings } from "../../src/env.ts";
import { ADMIN, adminKey, call, callWith, logRows, simConfigure, simUrl, userWithKey } from "./helpers.ts";

type Json = Record<string, any>;
const KEY_OK = "sk-sim-health-keyOK1";
const KEY_BAD = "sk-sim-health-keyBAD";

afterEach(async () => {
  await simConfigure({ apiKey: "sk-sim-test", apiKeys: null, keyFaults: {} });
});

async function twoKeyProvider(name: string) {
  await simConfigure({ apiKeys: [KEY_OK, KEY_BAD], keyFaults: { [KEY_BAD]: "500" } });
  const res = await call("/api/providers", {
    method: "POST",
    key: ADMIN,
    json: { name, type: "openai-compatible", base_url: `${simUrl()}/v1`, keys: [{ name: "good", api_key: KEY_OK }, { name: "bad", api_key: KEY_BAD }], limits: { max_concurrency: 4 }, breaker: { failures: 2, cooldown_ms: 60_000 }, models: [{ name: `${name}-model`, upstream_model: `${name}-up` }] },
  });
  if (res.status !== 201) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}

async function runCron(settings: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  await worker.scheduled!(createScheduledController({ cron: "* * * * *", scheduledTime: Date.now() }), { ...(env as unknown as Bindings), ...settings } as Bindings, ctx);
  await waitOnExecutionContext(ctx);
}

describe("health", () => {
  it("checks a provider now, reports each deployment's state and why, and summarises each model", async () => {
    const { id } = await twoKeyProvider("hp");
    const checked = (await (await call(`/api/providers/${id}/health`, { method: "POST", key: ADMIN })).json()) as Json;
    expect(checked.results.map((r: Json) => [r.deployment, r.ok])).toEqual([
      ["hp/good/hp-up", true],
      ["hp/bad/hp-up", false],
    ]);
    // A second failed check opens the bad key's breaker (failures: 2).
    await call(`/api/providers/${id}/health`, { method: "POST", key: ADMIN });
    const health = (await (await call("/api/providers/health", { key: ADMIN })).json()) as Json;
    const hp = health.data.find((p: Json) => p.provider === "hp");
    expect(hp.health).toBe("unhealthy");
    expect(hp.deployments.find((d: Json) => d.key === "good")).toMatchObject({ health: "healthy", breaker: "closed" });
    expect(hp.deployments.find((d: Json) => d.key === "bad")).toMatchObject({ health: "unhealthy", breaker: "open", reasons: expect.arrayContaining([expect.stringMatching(/breaker open/)]) });

    const key = await adminKey();
    const summary = (await (await call("/v1/health", { key })).json()) as Json;
    expect(summary.models.find((m: Json) => m.model === "hp-model")).toMatchObject({ status: "healthy", deployments: { total: 2, healthy: 1, unhealthy: 1 } });
    expect(["ok", "degraded"]).toContain(summary.status);
    // Admin only; a user sees the per-model summary.
    const user = await userWithKey();
    expect((await call("/api/providers/health", { key: user.key })).status).toBe(403);
    expect((await call("/v1/health", { key: user.key })).status).toBe(200);
  });

  it("tests a model with one real call: latency, answer and where it went", async () => {
    const key = await adminKey();
    const res = await call("/v1/models/sim-small/test", { method: "POST", key, json: { test_message: "are you there?" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ model: "sim-small", deployment: "sim/default/sim-small", ok: true, status: 200, answer: expect.stringMatching(/^tok1/), latency_ms: expect.any(Number) });
    const empty = await call("/v1/models/sim-small/test", { method: "POST", key });
    expect(((await empty.json()) as Json).ok).toBe(true);
    expect((await call("/v1/models/nope/test", { method: "POST", key, json: {} })).status).toBe(404);
    expect((await call("/v1/models/sim-small/test", { method: "POST", key, json: { message: "x" } })).status).toBe(400);
  });

  it("the Cron Trigger probes only deployments no call proved healthy recently", async () => {
    await twoKeyProvider("hc");
    const key = await adminKey();
    // A real call proves the good key healthy: the check leaves it alone and probes the others.
    const real = await call("/v1/chat/completions", { method: "POST", key, json: { model: "hc-model", messages: [{ role: "user", content: "hi" }] } });
    expect(real.headers.get("x-gateway-deployment")).toBe("hc/good/hc-up");
    await runCron();
    const logs = await logRows("model=hc-model&limit=50", (rows) => rows.some((r) => r.endpoint === "health_check"));
    const probes = logs.filter((r) => r.endpoint === "health_check");
    expect(probes.map((r) => r.deployment)).toContain("hc/bad/hc-up");
    expect(probes.map((r) => r.deployment)).not.toContain("hc/good/hc-up");
  });
});

describe("registered backends (seed 002)", () => {
  const INTERNAL = { INTERNAL_API_KEY: "internal-key-0123456789abcdefghij" };
  const auth = { authorization: `Bearer ${INTERNAL.INTERNAL_API_KEY}` };

  it("register, beat, serve their model, and turn unhealthy when their heartbeats stop", async () => {
    // A self-hosted backend takes calls without a key (Ollama, vLLM on a private network).
    await simConfigure({ apiKey: null });
    expect((await call("/internal/workers", { headers: auth })).status).toBe(403);
    expect((await callWith(INTERNAL, "/internal/workers", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const reg = await callWith(INTERNAL, "/internal/workers/register", { method: "POST", headers: auth, json: { worker_id: "gpu-001", model_id: "llama3-local", backend_url: `${simUrl()}/v1`, capacity: 2 } });
    expect(reg.status).toBe(201);
    expect(await reg.json()).toMatchObject({ worker_id: "gpu-001", status: "registered" });
    expect((await callWith(INTERNAL, "/internal/workers/heartbeat", { method: "POST", headers: auth, json: { worker_id: "gpu-001", current_load: 1 } })).status).toBe(200);
    expect((await callWith(INTERNAL, "/internal/workers/heartbeat", { method: "POST", headers: auth, json: { worker_id: "nobody", current_load: 0 } })).status).toBe(404);

    const listed = (await (await callWith(INTERNAL, "/internal/workers?model_id=llama3-local", { headers: auth })).json()) as Json;
    expect(listed.data).toEqual([expect.objectContaining({ worker_id: "gpu-001", capacity: 2, current_load: 1, status: "healthy" })]);

    const key = await adminKey();
    const res = await callWith(INTERNAL, "/v1/chat/completions", { method: "POST", key, json: { model: "llama3-local", messages: [{ role: "user", content: "hi" }] } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-deployment")).toBe("backend-gpu-001/default/llama3-local");

    // With a heartbeat timeout shorter than its silence, the backend is unhealthy and skipped.
    await scheduler.wait(30);
    const stale = { ...INTERNAL, HEARTBEAT_TIMEOUT_MS: "10" };
    const after = await callWith(stale, "/v1/chat/completions", { method: "POST", key, json: { model: "llama3-local", messages: [{ role: "user", content: "hi" }] } });
    expect(after.status).toBe(503);
    expect(((await after.json()) as Json).error.code).toBe("backend_unavailable");
    expect(((await (await callWith(stale, "/internal/workers", { headers: auth })).json()) as Json).data[0].status).toBe("unhealthy");
    // The health check removes a backend silent for three timeouts.
    await runCron(stale);
    expect(((await (await callWith(INTERNAL, "/internal/workers", { headers: auth })).json()) as Json).data).toEqual([]);
    const bad = await callWith({ ...INTERNAL, ALLOW_PRIVATE_UPSTREAMS: "false" }, "/internal/workers/register", { method: "POST", headers: auth, json: { worker_id: "gpu-002", model_id: "m", backend_url: "http://10.0.0.5:8000/v1", capacity: 1 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).error.param).toBe("backend_url");
  });
});
