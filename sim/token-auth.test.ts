// Tests of the token-auth upstream: POST /auth, Bearer tokens on chat completions, expiry, and the token options.
import { describe, expect, it } from "vitest";
import { parseCliArgs, USAGE } from "./args.ts";
import type { Simulator } from "./server.ts";
import type { Json } from "./testkit.ts";
import { post, simulators } from "./testkit.ts";
import { tokenAnswer } from "./token-auth.ts";

const start = simulators();

const login = (sim: Simulator, username = "sim-user", password = "sim-pass"): Promise<Response> => post(sim, "/auth", { username, password });

const chat = (sim: Simulator, token: string): Promise<Response> =>
  post(sim, "/v1/chat/completions", { model: "m", messages: [{ role: "user", content: "hi" }] }, { authorization: `Bearer ${token}` });

describe("token auth", () => {
  it("issues a token for the right credentials and 401s wrong ones", async () => {
    const sim = await start({ apiKey: "sk-sim" });
    const res = await login(sim);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toEqual({ token: expect.stringMatching(/^tok_sim_\d+$/), expires_in: 60 });
    const wrong = await login(sim, "sim-user", "nope");
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as Json).error.message).toMatch(/invalid username or password/);
    expect((await post(sim, "/auth", { username: "sim-user" })).status).toBe(400);
    expect((await post(sim, "/auth", "{nope")).status).toBe(400);
    expect(sim.stats()).toMatchObject({ authExchanges: 1, requests: 0, unauthorized: 0 });
  });

  it("accepts a valid token as well as the API key on chat completions", async () => {
    const sim = await start({ apiKey: "sk-sim" });
    const { token } = (await (await login(sim)).json()) as Json;
    expect((await chat(sim, token)).status).toBe(200);
    expect((await chat(sim, "sk-sim")).status).toBe(200);
    expect((await post(sim, "/v1/embeddings", { model: "e", input: "x" }, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect(sim.stats()).toMatchObject({ completed: 3, unauthorized: 0 });
  });

  it("401s an expired token with 'token expired' and an unknown one with 'invalid token'", async () => {
    const sim = await start({ apiKey: "sk-sim", tokenTtlMs: 150 });
    const body = (await (await login(sim)).json()) as Json;
    expect(body.expires_in).toBe(0);
    expect((await chat(sim, body.token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    const expired = await chat(sim, body.token);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as Json).error).toMatchObject({ message: "token expired", code: "token_expired" });
    const unknown = await chat(sim, "tok_sim_999");
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as Json).error).toMatchObject({ message: "invalid token", code: "invalid_token" });
    // A fresh exchange works again.
    const again = (await (await login(sim)).json()) as Json;
    expect((await chat(sim, again.token)).status).toBe(200);
    expect(sim.stats()).toMatchObject({ unauthorized: 2, authExchanges: 2 });
  });

  it("expires every token on POST /sim/expire-tokens", async () => {
    const sim = await start();
    const a = ((await (await login(sim)).json()) as Json).token;
    const b = ((await (await login(sim)).json()) as Json).token;
    expect(a).not.toBe(b);
    expect((await chat(sim, a)).status).toBe(200);
    const res = await post(sim, "/sim/expire-tokens", {});
    expect(await res.json()).toEqual({ expired: 2 });
    for (const t of [a, b]) {
      const r = await chat(sim, t);
      expect(r.status).toBe(401);
      expect(((await r.json()) as Json).error.message).toBe("token expired");
    }
    expect(sim.expireTokens()).toBe(0);
    // Without an API key, other Bearer values still pass.
    expect((await chat(sim, "anything")).status).toBe(200);
  });

  it("puts the token at a dotted tokenField and takes options from /sim/config", async () => {
    expect(tokenAnswer("data.access_token", "tok_sim_1", 60)).toEqual({ data: { access_token: "tok_sim_1" }, expires_in: 60 });
    const sim = await start();
    const set = await post(sim, "/sim/config", { tokenField: "data.access_token", tokenTtlMs: 5000, authUsername: "svc", authPassword: "pw" });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ tokenField: "data.access_token", tokenTtlMs: 5000, authUsername: "svc", authPassword: "pw" });
    expect((await login(sim)).status).toBe(401);
    const body = (await (await login(sim, "svc", "pw")).json()) as Json;
    expect(body).toEqual({ data: { access_token: expect.stringMatching(/^tok_sim_/) }, expires_in: 5 });
    expect((await post(sim, "/sim/config", { tokenField: "a..b" })).status).toBe(400);
    expect((await post(sim, "/sim/config", { tokenTtlMs: -1 })).status).toBe(400);
    expect((await post(sim, "/sim/config", { tokenField: null })).status).toBe(200);
    expect(((await (await login(sim, "svc", "pw")).json()) as Json).token).toMatch(/^tok_sim_/);
  });

  it("parses the token flags and documents them", () => {
    const { options } = parseCliArgs(["--token-ttl-ms", "1500", "--token-field", "data.jwt", "--auth-username", "u", "--auth-password", "p"]);
    expect(options).toEqual({ tokenTtlMs: 1500, tokenField: "data.jwt", authUsername: "u", authPassword: "p" });
    expect(() => parseCliArgs(["--token-ttl-ms", "soon"])).toThrow(/tokenTtlMs/);
    for (const flag of ["--token-ttl-ms", "--token-field", "--auth-username", "--auth-password"]) expect(USAGE).toContain(flag);
  });
});
