import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, adminKey, call, chat, simUrl } from "./helpers.ts";

const SECRET = "sk-upstream-very-secret-123456";

function provider(name: string, extra: Record<string, unknown> = {}) {
  return { name, type: "openai-compatible", base_url: `${simUrl()}/v1`, api_key: SECRET, limits: { max_concurrency: 2, rpm: 600 }, models: [{ name: `${name}-model`, upstream_model: "sim-large" }], ...extra };
}

describe("admin providers", () => {
  it("creates a provider whose model then works; no response carries the key; the key is stored sealed", async () => {
    const res = await call("/api/providers", { method: "POST", key: ADMIN, json: provider("acme", { api_key: "sk-sim-test" }) });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain("sk-sim-test");
    expect(JSON.parse(text)).toMatchObject({ name: "acme", has_api_key: true, limits: { max_concurrency: 2, rpm: 600 }, models: [{ name: "acme-model", upstream_model: "sim-large" }] });

    const row = await env.DB.prepare("select * from providers where name = 'acme'").first();
    expect(JSON.stringify(row)).not.toContain("sk-sim-test");

    const listed = await (await call("/api/providers", { key: ADMIN })).text();
    expect(listed).not.toContain("sk-sim-test");
    expect(JSON.parse(listed).data.map((p: { name: string }) => p.name)).toEqual(["sim", "acme"]);

    const key = await adminKey();
    const completion = await chat(key, "hi", { model: "acme-model" });
    expect(completion.status).toBe(200);
    expect(((await completion.json()) as { model: string }).model).toBe("acme-model");
  });

  it("updates limits, models and the key; deletes; refuses clashes and config providers", async () => {
    const created = (await (await call("/api/providers", { method: "POST", key: ADMIN, json: provider("beta") })).json()) as { id: string };
    const patched = await call(`/api/providers/${created.id}`, { method: "PATCH", key: ADMIN, json: { limits: { max_concurrency: 5 }, models: ["beta-2"], api_key: "${SIM_API_KEY}" } });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ limits: { max_concurrency: 5 }, models: [{ name: "beta-2" }], api_key_secret: "SIM_API_KEY" });
    // The secret reference resolves at call time.
    expect((await chat(await adminKey(), "hi", { model: "beta-2" })).status).toBe(200);

    // A name is one provider; a model may be served by several (its deployments).
    expect((await call("/api/providers", { method: "POST", key: ADMIN, json: provider("beta") })).status).toBe(409);
    const second = await call("/api/providers", { method: "POST", key: ADMIN, json: provider("gamma", { models: ["beta-2"] }) });
    expect(second.status).toBe(201);
    expect(((await second.json()) as { deployments: { id: string }[] }).deployments.map((d) => d.id)).toEqual(["gamma/default/beta-2"]);
    expect((await call(`/api/providers/${((await (await call("/api/providers/gamma", { key: ADMIN })).json()) as { id: string }).id}`, { method: "DELETE", key: ADMIN })).status).toBe(200);
    expect((await call("/api/providers", { method: "POST", key: ADMIN, json: provider("delta", { models: ["x", "x"] }) })).status).toBe(400);
    // Several keys: a key given without api_key keeps its stored one; a lone api_key would replace them all.
    const multi = (await (await call("/api/providers", { method: "POST", key: ADMIN, json: provider("multi", { api_key: undefined, keys: [{ name: "one", api_key: "sk-sim-test" }, { name: "two", api_key: "sk-sim-test" }] }) })).json()) as { id: string };
    const renamed = await call(`/api/providers/${multi.id}`, { method: "PATCH", key: ADMIN, json: { keys: [{ name: "one" }, { name: "three", api_key: "sk-sim-test" }] } });
    expect(((await renamed.json()) as { keys: { name: string; has_api_key: boolean }[] }).keys).toEqual([expect.objectContaining({ name: "one", has_api_key: true }), expect.objectContaining({ name: "three", has_api_key: true })]);
    expect((await call(`/api/providers/${multi.id}`, { method: "PATCH", key: ADMIN, json: { api_key: "sk-other" } })).status).toBe(400);
    expect((await call("/api/providers/config:sim", { method: "DELETE", key: ADMIN })).status).toBe(409);

    expect((await call(`/api/providers/${created.id}`, { method: "DELETE", key: ADMIN })).status).toBe(200);
    expect((await chat(await adminKey(), "hi", { model: "beta-2" })).status).toBe(404);
    expect((await call(`/api/providers/${created.id}`, { key: ADMIN })).status).toBe(404);
  });

  it("validates definitions with a 400 naming the field", async () => {
    const bad = await call("/api/providers", { method: "POST", key: ADMIN, json: provider("eps", { limits: { max_concurrency: 0 } }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("limits.max_concurrency");
    const noUrl = await call("/api/providers", { method: "POST", key: ADMIN, json: { ...provider("zeta"), base_url: undefined } });
    expect(noUrl.status).toBe(400);
    const badType = await call("/api/providers", { method: "POST", key: ADMIN, json: provider("eta", { type: "nope" }) });
    expect(badType.status).toBe(400);
    // A provider key may not reference the gateway's own secrets (they would be sent upstream).
    for (const secret of ["${JWT_SECRET}", "${ADMIN_API_KEY}", "${ENCRYPTION_KEY}"]) {
      const leak = await call("/api/providers", { method: "POST", key: ADMIN, json: provider("theta", { api_key: secret }) });
      expect(leak.status).toBe(400);
      expect(((await leak.json()) as { error: { param: string } }).error.param).toBe("api_key");
    }
  });

  it("shows a provider's configured limits in /api/status before its first call", async () => {
    await call("/api/providers", { method: "POST", key: ADMIN, json: provider("neverused", { limits: { max_concurrency: 7, rpm: 120 } }) });
    const status = (await (await call("/api/status", { key: ADMIN })).json()) as { data: { provider: string; deployments: { max_concurrency: number; rpm: number | null; task_limit: number; health: string }[] }[] };
    expect(status.data.find((p) => p.provider === "neverused")?.deployments[0]).toMatchObject({ max_concurrency: 7, rpm: 120, task_limit: 7, health: "healthy" });
  });

  it("scrubs upstream error text that echoes a key", async () => {
    await call("/api/providers", { method: "POST", key: ADMIN, json: provider("wrongkey", { api_key: SECRET }) });
    const res = await chat(await adminKey(), "hi", { model: "wrongkey-model" });
    expect(res.status).toBe(502);
    const body = await res.text();
    expect(body).not.toContain(SECRET);
    expect(JSON.parse(body).error.code).toBe("upstream_auth_failed");
  });
});
