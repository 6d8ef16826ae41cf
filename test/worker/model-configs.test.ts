/** Seed 000's model configurations: a user's own key for a model, seen and used only by that user. */
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN, call, callWith, simConfigure, simUrl, userWithKey } from "./helpers.ts";

type Json = Record<string, any>;
const OWN_KEY = "sk-sim-users-own-key1";

afterEach(async () => {
  await simConfigure({ apiKeys: null });
});

describe("model configurations (seed 000)", () => {
  it("serve only their owner, with the owner's key, also through model_config_id; never show the key", async () => {
    await simConfigure({ apiKeys: [OWN_KEY] });
    const alice = await userWithKey();
    const bob = await userWithKey();
    const made = await call("/api/model/", { method: "POST", key: alice.token, json: { provider: "openai-compatible", model_name: "alice-gpt", api_key: OWN_KEY, base_url: `${simUrl()}/v1` } });
    expect(made.status).toBe(201);
    const config = (await made.json()) as Json;
    expect(config).toMatchObject({ object: "model_config", provider: "openai-compatible", model_name: "alice-gpt", has_api_key: true });
    expect(JSON.stringify(config)).not.toContain(OWN_KEY);

    // Alice (by token or by key) sees and calls it; Bob does not.
    const ask = (key: string, extra: Json = {}) => call("/v1/chat/completions", { method: "POST", key, json: { model: "alice-gpt", messages: [{ role: "user", content: "hi" }], ...extra } });
    const mine = await ask(alice.key);
    expect(mine.status).toBe(200);
    expect(mine.headers.get("x-gateway-deployment")).toMatch(/^u-[a-z0-9-]+\/default\/alice-gpt$/);
    expect(((await (await call("/v1/models", { key: alice.key })).json()) as Json).data.map((m: Json) => m.id)).toContain("alice-gpt");
    expect((await ask(bob.key)).status).toBe(404);
    expect(((await (await call("/v1/models", { key: bob.key })).json()) as Json).data.map((m: Json) => m.id)).not.toContain("alice-gpt");
    expect((await call(`/api/model/${config.id}`, { key: bob.token })).status).toBe(404);

    const legacy = await call("/api/request/", { method: "POST", key: alice.key, json: { model_config_id: config.id, prompt: "Hello, world!", request_type: "realtime" } });
    expect(legacy.status).toBe(200);
    expect(((await legacy.json()) as Json).model).toBe("alice-gpt");
    expect((await call("/api/request/", { method: "POST", key: bob.key, json: { model_config_id: config.id, prompt: "x", request_type: "realtime" } })).status).toBe(404);

    // Admins' provider list is the team's: users' own configurations are not in it.
    const listed = (await (await call("/api/providers", { key: ADMIN })).json()) as Json;
    expect(listed.data.some((p: Json) => p.id === config.id)).toBe(false);
    expect(((await (await call("/api/model/", { key: alice.key })).json()) as Json).data).toEqual([expect.objectContaining({ id: config.id, model_name: "alice-gpt" })]);

    expect((await call(`/api/model/${config.id}`, { method: "DELETE", key: alice.key })).status).toBe(200);
    expect((await ask(alice.key)).status).toBe(404);
  });

  it("refuse what a user may not do: secret references, private addresses, unknown fields, the root credential", async () => {
    const carol = await userWithKey();
    const ref = await call("/api/model/", { method: "POST", key: carol.key, json: { provider: "openai", model_name: "gpt-4o", api_key: "${ADMIN_API_KEY}" } });
    expect(((await ref.json()) as Json).error.param).toBe("api_key");
    const extra = await call("/api/model/", { method: "POST", key: carol.key, json: { provider: "openai", model_name: "gpt-4o", api_key: "sk-x", rpm: 5 } });
    expect(((await extra.json()) as Json).error).toMatchObject({ param: "rpm", code: "unknown_field" });
    expect((await call("/api/model/", { method: "POST", key: ADMIN, json: { provider: "openai", model_name: "gpt-4o", api_key: "sk-x" } })).status).toBe(403);
    // Users' addresses are checked on their own setting: admins may reach private addresses while users may not.
    const internal = await callWith({ ALLOW_PRIVATE_UPSTREAMS: "true", ALLOW_PRIVATE_USER_UPSTREAMS: "false" }, "/api/model/", { method: "POST", key: carol.key, json: { provider: "openai-compatible", model_name: "m", api_key: "sk-x", base_url: "http://169.254.169.254/v1" } });
    expect(internal.status).toBe(400);
    expect(((await internal.json()) as Json).error.param).toBe("base_url");
  });
});
