import { SignJWT } from "jose";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, call, chat, randomAddress, userWithKey } from "./helpers.ts";

describe("registration and tokens", () => {
  it("registers, logs in with form fields and uses the bearer token", async () => {
    const reg = await call("/api/auth/register", { method: "POST", json: { username: "alice", email: "alice@example.com", password: "password123" } });
    expect(reg.status).toBe(201);
    const user = (await reg.json()) as Record<string, unknown>;
    expect(user).toMatchObject({ username: "alice", role: "user" });
    expect(JSON.stringify(user)).not.toMatch(/password|salt/i);

    const tok = await call("/api/auth/token", { method: "POST", body: new URLSearchParams({ username: "alice", password: "password123" }) });
    expect(tok.status).toBe(200);
    const { access_token, token_type, expires_in } = (await tok.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(token_type).toBe("bearer");
    expect(expires_in).toBeGreaterThan(0);
    expect((await call("/v1/models", { key: access_token })).status).toBe(200);
  });

  it("refuses a taken username or email with one 409 that does not say which, and weak input with 400", async () => {
    const body = { username: "bob", email: "bob@example.com", password: "password123" };
    expect((await call("/api/auth/register", { method: "POST", json: body })).status).toBe(201);
    const dupName = await call("/api/auth/register", { method: "POST", json: { ...body, email: "other@example.com" } });
    const dupEmail = await call("/api/auth/register", { method: "POST", json: { ...body, username: "bobby" } });
    expect(dupName.status).toBe(409);
    expect(dupEmail.status).toBe(409);
    const [n, e] = (await Promise.all([dupName.json(), dupEmail.json()])) as { error: { param: string | null; code: string } }[];
    // The same answer either way (each carries its own request id).
    expect(n!.error).toEqual(e!.error);
    expect(n!.error).toMatchObject({ param: null, code: "registration_conflict" });
    const weak = await call("/api/auth/register", { method: "POST", json: { username: "carol", email: "not-an-email", password: "x" } });
    expect(weak.status).toBe(400);
  });

  it("refuses a wrong password and an unknown user alike with 401", async () => {
    await call("/api/auth/register", { method: "POST", json: { username: "dave", email: "dave@example.com", password: "password123" } });
    // From their own clients: this file's client must stay clear of the failed-credential limit.
    const wrong = await call("/api/auth/token", { method: "POST", client: randomAddress(), body: new URLSearchParams({ username: "dave", password: "nope-nope" }) });
    const nobody = await call("/api/auth/token", { method: "POST", client: randomAddress(), body: new URLSearchParams({ username: "nobody", password: "nope-nope" }) });
    expect(wrong.status).toBe(401);
    expect(nobody.status).toBe(401);
    expect(((await wrong.json()) as { error: unknown }).error).toEqual(((await nobody.json()) as { error: unknown }).error);
  });

  it("rejects tokens without exp, with another algorithm, audience or signature", async () => {
    const secret = new TextEncoder().encode(env.JWT_SECRET);
    const base = () => new SignJWT({ role: "admin" }).setSubject("someone").setIssuer("hybrid-llm-gateway").setAudience("hybrid-llm-gateway:api");
    const noExp = await base().setProtectedHeader({ alg: "HS256" }).sign(secret);
    const hs512 = await base().setProtectedHeader({ alg: "HS512" }).setExpirationTime("1h").sign(secret);
    const otherAud = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("x").setIssuer("hybrid-llm-gateway").setAudience("elsewhere").setExpirationTime("1h").sign(secret);
    const forged = await base().setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h").sign(new TextEncoder().encode("another-secret-another-secret-xx"));
    const expired = await base().setProtectedHeader({ alg: "HS256" }).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(secret);
    for (const token of [noExp, hs512, otherAud, forged, expired]) {
      expect((await call("/v1/models", { key: token, client: randomAddress() })).status).toBe(401);
    }
  });
});

describe("API keys", () => {
  it("shows a key once, stores only its hash, lists without it, and stops it working when revoked", async () => {
    const { token } = await userWithKey("erin");
    const made = await call("/api/keys", { method: "POST", key: token, json: { name: "ci" } });
    expect(made.status).toBe(201);
    const { id, key, prefix } = (await made.json()) as { id: string; key: string; prefix: string };
    expect(key).toMatch(/^sk-gw-/);
    expect(key.startsWith(prefix.replace("…", ""))).toBe(true);

    const stored = await env.DB.prepare("select * from api_keys where id = ?").bind(id).first();
    expect(JSON.stringify(stored)).not.toContain(key);

    const list = await call("/api/keys", { key: token });
    expect(JSON.stringify(await list.json())).not.toContain(key);

    expect((await chat(key)).status).toBe(200);
    let listedAgain: { id: string; last_used_at: number | null }[] = [];
    for (let i = 0; i < 50 && !listedAgain.find((k) => k.id === id)?.last_used_at; i++) {
      listedAgain = ((await (await call("/api/keys", { key: token })).json()) as { data: typeof listedAgain }).data;
      await scheduler.wait(10);
    }
    expect(listedAgain.find((k) => k.id === id)?.last_used_at).toBeGreaterThan(0);
    expect((await call(`/api/keys/${id}`, { method: "DELETE", key: token })).status).toBe(200);
    expect((await chat(key)).status).toBe(401);
  });

  it("accepts the key as x-api-key (the Anthropic SDK's header)", async () => {
    const { key } = await userWithKey();
    const res = await call("/v1/models", { headers: { "x-api-key": key } });
    expect(res.status).toBe(200);
  });

  it("hides another user's key: revoking it is 404", async () => {
    const a = await userWithKey();
    const b = await userWithKey();
    const listed = (await (await call("/api/keys", { key: a.token })).json()) as { data: { id: string }[] };
    const res = await call(`/api/keys/${listed.data[0]!.id}`, { method: "DELETE", key: b.token });
    expect(res.status).toBe(404);
  });

  it("limits a key to its models: /v1/models lists only those and others are 403", async () => {
    const made = await call("/api/keys", { method: "POST", key: ADMIN, json: { name: "narrow", models: ["sim-alias"] } });
    const { key } = (await made.json()) as { key: string };
    const models = (await (await call("/v1/models", { key })).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(["sim-alias"]);
    expect((await chat(key)).status).toBe(403);
    expect((await chat(key, "hi", { model: "sim-alias" })).status).toBe(200);
    // It cannot mint itself a wider key.
    expect((await call("/api/keys", { method: "POST", key, json: { name: "wider" } })).status).toBe(403);
    expect((await call("/api/keys", { method: "POST", key, json: { name: "wider", models: ["sim-small"] } })).status).toBe(403);
    expect((await call("/api/keys", { method: "POST", key, json: { name: "same", models: ["sim-alias"] } })).status).toBe(201);
  });
});

describe("roles", () => {
  it("keeps admin endpoints from users (403) and lets an admin promote them", async () => {
    const u = await userWithKey();
    expect((await call("/api/providers", { key: u.key })).status).toBe(403);
    expect((await call("/api/users", { key: u.key })).status).toBe(403);
    const users = (await (await call("/api/users", { key: ADMIN })).json()) as { data: { id: string }[] };
    expect(users.data.some((x) => x.id === u.id)).toBe(true);
    const promoted = await call(`/api/users/${u.id}`, { method: "PATCH", key: ADMIN, json: { role: "admin" } });
    expect(promoted.status).toBe(200);
    expect((await call("/api/providers", { key: u.key })).status).toBe(200);
    expect((await call(`/api/users/${u.id}`, { method: "PATCH", key: ADMIN, json: { role: "root" } })).status).toBe(400);
  });

  it("applies a demotion to a user's existing access token at once", async () => {
    const u = await userWithKey();
    await call(`/api/users/${u.id}`, { method: "PATCH", key: ADMIN, json: { role: "admin" } });
    const tok = await call("/api/auth/token", { method: "POST", body: new URLSearchParams({ username: (await (await call(`/api/users`, { key: ADMIN })).json() as { data: { id: string; username: string }[] }).data.find((x) => x.id === u.id)!.username, password: "correct horse battery" }) });
    const { access_token } = (await tok.json()) as { access_token: string };
    expect((await call("/api/users", { key: access_token })).status).toBe(200);
    await call(`/api/users/${u.id}`, { method: "PATCH", key: ADMIN, json: { role: "user" } });
    expect((await call("/api/users", { key: access_token })).status).toBe(403);
    // …so it cannot promote itself back.
    expect((await call(`/api/users/${u.id}`, { method: "PATCH", key: access_token, json: { role: "admin" } })).status).toBe(403);
  });

  it("answers a malformed login form with 400, not 500", async () => {
    const res = await call("/api/auth/token", { method: "POST", headers: { "content-type": "multipart/form-data; boundary=x" }, body: "garbage" });
    expect(res.status).toBe(400);
  });
});
