import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { ADMIN, adminKey, call, callWith, randomAddress, userWithKey } from "./helpers.ts";

/** The per-IP allowance in the test configuration (the default). */
const PER_CLIENT = 10;
/** The per-login allowance (the default). */
const PER_LOGIN = 5;

const login = (username: string, password: string, client: string) =>
  call("/api/auth/token", { method: "POST", client, body: new URLSearchParams({ username, password }) });

describe("failed-credential limiting", () => {
  it("answers a client guessing passwords with 429 and Retry-After once it has used its allowance", async () => {
    const attacker = randomAddress();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 30; i++) {
      const res = await login(`guess${i}`, "wrong-password", attacker);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get("retry-after");
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(PER_CLIENT);
    expect(statuses.slice(PER_CLIENT).every((s) => s === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it("does not let guesses sent all at once outrun the limit: each one is counted before it is checked", async () => {
    const attacker = randomAddress();
    for (let i = 0; i < PER_CLIENT - 1; i++) expect((await login(`race${i}`, "wrong", attacker)).status).toBe(401);
    // One failure left: twenty guesses at once get one check between them.
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => login(`racer${i}`, "wrong", attacker).then((r) => r.status)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(19);
  });

  it("counts a user's username and email as one account", async () => {
    const u = await userWithKey();
    const { username, email } = ((await (await call("/api/users", { key: ADMIN })).json()) as { data: { id: string; username: string; email: string }[] }).data.find((x) => x.id === u.id)!;
    for (let i = 0; i < PER_LOGIN; i++) expect((await login(i % 2 ? email : username, "wrong", randomAddress())).status).toBe(401);
    expect((await login(username, "correct horse battery", randomAddress())).status).toBe(429);
  });

  it("does not count stale credentials (an expired token, a revoked key) as guesses", async () => {
    const client = randomAddress();
    const expired = await new SignJWT({ role: "user" }).setProtectedHeader({ alg: "HS256" }).setSubject("someone").setIssuer("hybrid-llm-gateway").setAudience("hybrid-llm-gateway:api").setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(new TextEncoder().encode(env.JWT_SECRET));
    const made = (await (await call("/api/keys", { method: "POST", key: ADMIN, json: { name: "soon-revoked" } })).json()) as { id: string; key: string };
    await call(`/api/keys/${made.id}`, { method: "DELETE", key: ADMIN });
    for (let i = 0; i < PER_CLIENT + 5; i++) {
      expect((await call("/v1/models", { key: expired, client })).status).toBe(401);
      expect((await call("/v1/models", { key: made.key, client })).status).toBe(401);
    }
    // The client was never blocked: its password login still gets checked.
    expect((await login("nobody-here", "wrong", client)).status).toBe(401);
  });

  it("does not check the root key for a client that is blocked", async () => {
    const attacker = randomAddress();
    for (let i = 0; i < PER_CLIENT; i++) await call("/v1/models", { key: `guess-root-${i}-${crypto.randomUUID()}`, client: attacker });
    expect((await call("/v1/models", { key: ADMIN, client: attacker })).status).toBe(429);
    expect((await call("/v1/models", { key: ADMIN, client: randomAddress() })).status).toBe(200);
  });

  it("limits failed passwords per login name across clients, for known and unknown names alike", async () => {
    const victim = await userWithKey();
    const name = ((await (await call("/api/users", { key: ADMIN })).json()) as { data: { id: string; username: string }[] }).data.find((u) => u.id === victim.id)!.username;
    for (const who of [name, "nobody-by-this-name"]) {
      const answers: number[] = [];
      for (let i = 0; i < PER_LOGIN; i++) answers.push((await login(who, `wrong-${i}`, randomAddress())).status);
      expect(answers).toEqual(Array(PER_LOGIN).fill(401));
      // Even the right password from a fresh client now waits: the name is being guessed.
      const next = await login(who, "correct horse battery", randomAddress());
      expect(next.status, who).toBe(429);
    }
    // Nobody else is affected.
    const other = await userWithKey();
    expect(other.token).toBeTruthy();
  });

  it("answers a client guessing API keys with 429, while valid keys keep working from every client", async () => {
    const attacker = randomAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      statuses.push((await call("/v1/models", { key: `sk-gw-guess-${crypto.randomUUID()}`, client: attacker })).status);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(PER_CLIENT);
    expect(statuses.slice(PER_CLIENT).every((s) => s === 429)).toBe(true);
    // During the attack a valid key works from the attacker's address (a key this isolate has not
    // seen yet, so it is looked up) and from any other.
    const valid = await adminKey();
    expect((await call("/v1/models", { key: valid, client: attacker })).status).toBe(200);
    expect((await call("/v1/models", { key: valid, client: randomAddress() })).status).toBe(200);
    const fresh = await adminKey();
    expect((await call("/v1/models", { key: fresh, client: randomAddress() })).status).toBe(200);
    // Bad tokens count like bad keys.
    expect((await call("/v1/models", { key: "not-a-token", client: attacker })).status).toBe(429);
  });

  it("a flood of random keys does not push valid keys out of the isolate's cache", async () => {
    const key = await adminKey();
    const lastUsed = async () => (await env.DB.prepare("select last_used_at from api_keys where id = (select id from api_keys order by created_at desc limit 1)").first<{ last_used_at: number | null }>())?.last_used_at;
    // First use reaches D1 and stamps last_used_at; later uses from the cache do not.
    expect((await callWith({}, "/v1/models", { key })).status).toBe(200);
    const stamped = await lastUsed();
    expect(stamped).toBeGreaterThan(0);
    for (let i = 0; i < 1100; i++) await call("/v1/models", { key: `sk-gw-flood-${i}-${crypto.randomUUID()}`, client: randomAddress() });
    expect((await callWith({}, "/v1/models", { key })).status).toBe(200);
    expect(await lastUsed()).toBe(stamped);
  });
});

describe("registration", () => {
  it("is closed unless ALLOW_REGISTRATION is set; admins then create accounts", async () => {
    const closed = await callWith({ ALLOW_REGISTRATION: undefined }, "/api/auth/register", { method: "POST", json: { username: "closedsignup", email: "closed@example.com", password: "password123" } });
    expect(closed.status).toBe(403);
    expect(((await closed.json()) as { error: { code: string } }).error.code).toBe("registration_closed");
    const made = await callWith({ ALLOW_REGISTRATION: undefined }, "/api/users", { method: "POST", key: ADMIN, json: { username: "madebyadmin", email: "made@example.com", password: "password123" } });
    expect(made.status).toBe(201);
    expect((await login("madebyadmin", "password123", randomAddress())).status).toBe(200);
    // Only admins create accounts.
    const u = await userWithKey();
    expect((await call("/api/users", { method: "POST", key: u.token, json: { username: "sneaky", email: "s@example.com", password: "password123" } })).status).toBe(403);
  });

  it("counts probing for taken usernames or emails as failures: 429 after the allowance", async () => {
    const prober = randomAddress();
    await call("/api/auth/register", { method: "POST", json: { username: "taken-name", email: "taken@example.com", password: "password123" } });
    const statuses: number[] = [];
    for (let i = 0; i < PER_CLIENT + 3; i++) {
      statuses.push((await call("/api/auth/register", { method: "POST", client: prober, json: { username: `fresh${i}`, email: "taken@example.com", password: "password123" } })).status);
    }
    expect(statuses.slice(0, PER_CLIENT)).toEqual(Array(PER_CLIENT).fill(409));
    expect(statuses.slice(PER_CLIENT).every((s) => s === 429)).toBe(true);
  });
});
