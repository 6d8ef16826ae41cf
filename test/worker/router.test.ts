/**
 * Seed 003's router control (rules and their hits, the switch with delay, cooldown and history),
 * aliases and strategies in the routing document, and parameter overrides.
 */
import { describe, expect, it } from "vitest";
import { ADMIN, adminKey, call, callWith, simRequests, simUrl, userWithKey } from "./helpers.ts";

type Json = Record<string, any>;

const chatTo = (key: string, model: string, content: string, extra: Json = {}) => call("/v1/chat/completions", { method: "POST", key, json: { model, messages: [{ role: "user", content }], ...extra } });

async function provider(name: string, extra: Json = {}) {
  const res = await call("/api/providers", { method: "POST", key: ADMIN, json: { name, type: "openai-compatible", base_url: `${simUrl()}/v1`, api_key: "sk-sim-test", limits: { max_concurrency: 4 }, models: [`${name}-model`], ...extra } });
  if (res.status !== 201) throw new Error(`${res.status} ${await res.text()}`);
}

describe("routing rules", () => {
  it("send a matching call to another model or provider, count hits, and refuse a bad pattern by name", async () => {
    await provider("cheap");
    await provider("smart");
    const key = await adminKey();
    const bad = await call("/api/v1/router/rules", { method: "POST", key: ADMIN, json: { name: "bad", condition: { type: "regex", pattern: "(", target: "prompt" }, action: { type: "use_model", model: "smart-model" } } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).error.param).toBe("condition.pattern");

    const rule = (await (await call("/api/v1/router/rules", { method: "POST", key: ADMIN, json: { name: "code to smart", priority: 10, condition: { type: "regex", pattern: "refactor|重构", flags: "i", target: "last_user" }, action: { type: "use_model", model: "smart-model" } } })).json()) as Json;
    expect(rule).toMatchObject({ object: "routing_rule", name: "code to smart", enabled: true, hits: 0 });

    const plain = await chatTo(key, "cheap-model", "hello");
    expect(plain.headers.get("x-gateway-deployment")).toBe("cheap/default/cheap-model");
    const matched = await chatTo(key, "cheap-model", "Please REFACTOR this");
    expect(matched.headers.get("x-gateway-deployment")).toBe("smart/default/smart-model");
    expect(((await matched.json()) as Json).model).toBe("smart-model");
    expect((await chatTo(key, "cheap-model", "帮我重构这段代码")).headers.get("x-gateway-deployment")).toBe("smart/default/smart-model");

    const metrics = (await (await call("/api/v1/router/metrics", { key: ADMIN })).json()) as Json;
    expect(metrics.rules.find((r: Json) => r.id === rule.id)).toMatchObject({ hits: 2 });

    // Disabled, the rule no longer applies; deleted, it is gone.
    expect((await call(`/api/v1/router/rules/${rule.id}`, { method: "PATCH", key: ADMIN, json: { enabled: false } })).status).toBe(200);
    // A patch changes only what it names (the priority stays, the rule stays off).
    const renamed = (await (await call(`/api/v1/router/rules/${rule.id}`, { method: "PATCH", key: ADMIN, json: { name: "renamed" } })).json()) as Json;
    expect(renamed).toMatchObject({ name: "renamed", priority: rule.priority, enabled: false });
    expect((await chatTo(key, "cheap-model", "refactor")).headers.get("x-gateway-deployment")).toBe("cheap/default/cheap-model");
    expect((await call(`/api/v1/router/rules/${rule.id}`, { method: "DELETE", key: ADMIN })).status).toBe(200);
    expect(((await (await call("/api/v1/router/rules", { key: ADMIN })).json()) as Json).data.some((r: Json) => r.id === rule.id)).toBe(false);
    // Router control is for admins.
    const user = await userWithKey();
    expect((await call("/api/v1/router/rules", { key: user.key })).status).toBe(403);
    expect((await call("/api/v1/router/toggle", { method: "POST", key: user.key, json: { value: false, reason: "x" } })).status).toBe(403);
  });
});

describe("the routing switch", () => {
  it("takes effect after the delay, refuses a second change while pending and during the cooldown, and keeps history", async () => {
    const quick = { ROUTER_SWITCH_DELAY_MS: "200", ROUTER_SWITCH_COOLDOWN_MS: "60000" };
    const off = await callWith(quick, "/api/v1/router/toggle", { method: "POST", key: ADMIN, json: { value: false, reason: "maintenance" } });
    expect(off.status).toBe(202);
    const pending = (await off.json()) as Json;
    expect(pending).toMatchObject({ value: true, pending: { value: false, reason: "maintenance" } });
    const again = await callWith(quick, "/api/v1/router/toggle", { method: "POST", key: ADMIN, json: { value: true, reason: "changed my mind" } });
    expect(again.status).toBe(409);
    expect(((await again.json()) as Json).error.code).toBe("switch_pending");

    await scheduler.wait(Math.max(0, pending.pending.effective_at - Date.now()) + 20);
    const status = (await (await callWith(quick, "/api/v1/router/status", { key: ADMIN })).json()) as Json;
    expect(status).toMatchObject({ value: false, pending: null });
    expect(status.next_toggle_at).toBeGreaterThan(Date.now());

    const cooling = await callWith(quick, "/api/v1/router/toggle", { method: "POST", key: ADMIN, json: { value: true, reason: "back on" } });
    expect(cooling.status).toBe(409);
    expect(((await cooling.json()) as Json).error.code).toBe("switch_cooldown");
    expect(Number(cooling.headers.get("retry-after"))).toBeGreaterThan(50);

    const history = (await (await call("/api/v1/router/history", { key: ADMIN })).json()) as Json;
    expect(history.data[0]).toMatchObject({ value: false, reason: "maintenance", in_effect: true });
    expect((await call("/api/v1/router/toggle", { method: "POST", key: ADMIN, json: { value: true, reason: "x", extra: 1 } })).status).toBe(400);
  });
});

describe("the routing document", () => {
  it("gives a model aliases and a strategy, and refuses an alias that is a model of its own", async () => {
    await provider("aliased");
    const key = await adminKey();
    const clash = await call("/api/routing", { method: "PUT", key: ADMIN, json: { models: { "aliased-model": { aliases: ["sim-small"] } } } });
    expect(clash.status).toBe(400);
    const put = await call("/api/routing", { method: "PUT", key: ADMIN, json: { strategy: "least-busy", models: { "aliased-model": { strategy: "latency", aliases: ["nickname"] } } } });
    expect(put.status).toBe(200);
    const res = await chatTo(key, "nickname", "hi");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-deployment")).toBe("aliased/default/aliased-model");
    const doc = (await (await call("/api/routing", { key: ADMIN })).json()) as Json;
    expect(doc).toMatchObject({ strategy: "least-busy", models: { "aliased-model": { strategy: "latency", aliases: ["nickname"] } } });
    expect((await call("/api/routing", { method: "PUT", key: ADMIN, json: { strategy: "fastest" } })).status).toBe(400);
  });
});

describe("parameter overrides", () => {
  it("set defaults, force values and remove parameters, global then provider then model", async () => {
    await provider("tuned", {
      overrides: { force: { temperature: 0.1 }, remove: ["top_p"] },
      models: [{ name: "tuned-model", overrides: { defaults: { max_tokens: 7, presence_penalty: 0.5 } } }],
    });
    const key = await adminKey();
    const marker = `ov-${crypto.randomUUID()}`;
    expect((await chatTo(key, "tuned-model", marker, { temperature: 0.9, top_p: 0.5, presence_penalty: 0 })).status).toBe(200);
    const sent = (await simRequests()).find((b) => JSON.stringify(b).includes(marker))!;
    expect(sent).toMatchObject({ temperature: 0.1, max_tokens: 7, presence_penalty: 0 });
    expect(sent).not.toHaveProperty("top_p");
    const refused = await call("/api/providers", { method: "POST", key: ADMIN, json: { name: "badov", type: "openai-compatible", base_url: `${simUrl()}/v1`, limits: { max_concurrency: 1 }, models: ["m"], overrides: { force: { model: "other" } } } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Json).error.param).toMatch(/^overrides\.force/);
  });
});
