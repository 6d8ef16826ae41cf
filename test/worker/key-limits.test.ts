/** Per-key and per-user limits: budgets (429 insufficient_quota), rates (429 Retry-After), expiry (401), addresses; PATCH and rotate. */
import { describe, expect, it } from "vitest";
import { ADMIN, call, chat, userWithKey } from "./helpers.ts";

type Json = Record<string, any>;
const json = (res: Response) => res.json() as Promise<Json>;

async function makeKey(token: string, fields: Json): Promise<Json> {
  const res = await call("/api/keys", { method: "POST", key: token, json: { name: "limited", ...fields } });
  expect(res.status).toBe(201);
  return res.json();
}

/** Waits until the key's limiter has been charged (charges land after the response). */
async function charged(token: string, id: string): Promise<Json> {
  let key: Json = {};
  for (let i = 0; i < 100; i++) {
    key = await json(await call(`/api/keys/${id}`, { key: token }));
    if (key.spend?.day_usd > 0) return key;
    await scheduler.wait(20);
  }
  return key;
}

describe("key limits", () => {
  it("stores limits given at creation and refuses fields it does not know", async () => {
    const u = await userWithKey();
    const k = await makeKey(u.token, { rpm: 60, tpm: 10_000, daily_budget_usd: 1, monthly_budget_usd: 20, expires_at: "2099-01-01T00:00:00Z", allowed_ips: ["198.51.100.0/24"] });
    expect(k).toMatchObject({ rpm: 60, tpm: 10_000, daily_budget_usd: 1, monthly_budget_usd: 20, expires_at: "2099-01-01T00:00:00.000Z", allowed_ips: ["198.51.100.0/24"] });
    const listed = (await json(await call("/api/keys", { key: u.token }))).data.find((x: Json) => x.id === k.id);
    expect(listed).toMatchObject({ rpm: 60, daily_budget_usd: 1 });
    expect(listed.key).toBeUndefined();

    const unknown = await call("/api/keys", { method: "POST", key: u.token, json: { name: "x", rpm: 1, budget_usd: 0.01 } });
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).error.param).toBe("budget_usd");
    const past = await call("/api/keys", { method: "POST", key: u.token, json: { name: "x", expires_at: "2020-01-01T00:00:00Z" } });
    expect(past.status).toBe(400);
    expect((await json(past)).error.message).toMatch(/in the past/);
    expect((await call("/api/keys", { method: "POST", key: u.token, json: { name: "x", allowed_ips: ["10.0.0.0/33"] } })).status).toBe(400);
    expect((await call("/api/keys", { method: "POST", key: u.token, json: { name: "x", rpm: 1.5 } })).status).toBe(400);
  });

  it("refuses a key over its budget with 429 insufficient_quota and x-should-retry: false", async () => {
    const u = await userWithKey();
    const k = await makeKey(u.token, { daily_budget_usd: 0.000001 });
    expect((await chat(k.key)).status).toBe(200);
    expect((await charged(u.token, k.id)).spend.day_usd).toBeGreaterThan(0.000001);
    const refused = await chat(k.key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("x-should-retry")).toBe("false");
    const body = await json(refused);
    expect(body.error).toMatchObject({ type: "insufficient_quota", code: "insufficient_quota" });
    // The amounts as people read them (1e-6 is not "$0.0000"), and the day's end in the usage time zone (UTC here).
    expect(body.error.message).toMatch(/daily budget \(\$0\.0000\d+ of \$0\.000001\); it resets at \d{4}-\d{2}-\d{2}T00:00:00\.000Z/);
    // The same key under the Anthropic surface gets Anthropic's shape.
    const anthropic = await call("/v1/messages", { method: "POST", headers: { "x-api-key": k.key }, json: { model: "sim-small", max_tokens: 10, messages: [{ role: "user", content: "hi" }] } });
    expect(anthropic.status).toBe(429);
    expect((await json(anthropic)).type).toBe("error");
    // Raising the budget lets it through again; the user's other key never was limited.
    expect((await call(`/api/keys/${k.id}`, { method: "PATCH", key: u.token, json: { daily_budget_usd: 100 } })).status).toBe(200);
    expect((await chat(k.key)).status).toBe(200);
    expect((await chat(u.key)).status).toBe(200);
  });

  it("refuses a key over its rate with 429 and Retry-After", async () => {
    const u = await userWithKey();
    const k = await makeKey(u.token, { rpm: 2 });
    expect((await chat(k.key)).status).toBe(200);
    expect((await chat(k.key)).status).toBe(200);
    const third = await chat(k.key);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await json(third)).error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
    // Reading is not a call: listing models still works.
    expect((await call("/v1/models", { key: k.key })).status).toBe(200);
  });

  it("refuses an expired key with 401", async () => {
    const u = await userWithKey();
    const k = await makeKey(u.token, { expires_at: "2099-01-01T00:00:00Z" });
    expect((await chat(k.key)).status).toBe(200);
    const patched = await call(`/api/keys/${k.id}`, { method: "PATCH", key: u.token, json: { expires_at: "2020-01-01T00:00:00Z" } });
    expect((await json(patched)).expires_at).toBe("2020-01-01T00:00:00.000Z");
    const refused = await chat(k.key);
    expect(refused.status).toBe(401);
    expect((await json(refused)).error).toMatchObject({ code: "api_key_expired" });
  });

  it("lets a key in only from its allowed addresses", async () => {
    const u = await userWithKey();
    const k = await makeKey(u.token, { allowed_ips: ["198.51.100.0/24", "2001:db8::/32"] });
    expect((await call("/v1/models", { key: k.key, client: "198.51.100.7" })).status).toBe(200);
    expect((await call("/v1/models", { key: k.key, client: "2001:db8::1" })).status).toBe(200);
    const outside = await call("/v1/models", { key: k.key, client: "203.0.113.9" });
    expect(outside.status).toBe(403);
    expect((await json(outside)).error.code).toBe("ip_not_allowed");
  });

  it("rotates a key: a new secret, the same id and limits, the old secret refused", async () => {
    const u = await userWithKey();
    const k = await makeKey(u.token, { rpm: 100, models: ["sim-small"] });
    const rotated = await json(await call(`/api/keys/${k.id}/rotate`, { method: "POST", key: u.token }));
    expect(rotated).toMatchObject({ id: k.id, rpm: 100, models: ["sim-small"] });
    expect(rotated.key).not.toBe(k.key);
    expect((await chat(k.key)).status).toBe(401);
    expect((await chat(rotated.key)).status).toBe(200);
  });

  it("keeps a limited key from minting keys without its limits", async () => {
    const u = await userWithKey();
    const k = await makeKey(u.token, { daily_budget_usd: 1 });
    const res = await call("/api/keys", { method: "POST", key: k.key, json: { name: "escape" } });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("restricted_key");
  });

  it("holds every key of a user to the user's limits, set by an admin", async () => {
    const u = await userWithKey();
    const set = await call(`/api/users/${u.id}`, { method: "PATCH", key: ADMIN, json: { rpm: 1 } });
    expect((await json(set)).rpm).toBe(1);
    expect((await chat(u.key)).status).toBe(200);
    const second = await makeKey(u.token, {});
    const refused = await chat(second.key);
    expect(refused.status).toBe(429);
    expect((await json(refused)).error.message).toMatch(/your account/);
    expect((await call(`/api/users/${u.id}`, { method: "PATCH", key: ADMIN, json: { budget: 1 } })).status).toBe(400);
  });

  it("charges a key's task runs to its budget", async () => {
    const u = await userWithKey();
    const k = await makeKey(u.token, { monthly_budget_usd: 50 });
    const task = await json(await call("/v1/tasks", { method: "POST", key: k.key, json: { model: "sim-small", messages: [{ role: "user", content: "background" }] } }));
    const key = await charged(u.token, k.id);
    expect(key.spend.month_usd).toBeGreaterThan(0);
    const done = await json(await call(`/v1/tasks/${task.id}`, { key: k.key }));
    expect(done.status).toBe("succeeded");
    expect(key.spend.month_usd).toBeCloseTo(done.cost_usd, 8);
  });
});
