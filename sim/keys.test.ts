// Tests of several API keys: run-time revocation, per-key faults and per-key counters, in every format.
import { describe, expect, it } from "vitest";
import { parseCliArgs, USAGE } from "./args.ts";
import { keyFault, resolveOptions, SimConfigError } from "./config.ts";
import type { Simulator } from "./server.ts";
import { keyLabel } from "./stats.ts";
import type { Json } from "./testkit.ts";
import { anthropicEvents, post, simulators, sseData, waitFor } from "./testkit.ts";

const start = simulators();

/** Two deployment keys that differ in their last 6 characters, so their counters stay apart. */
const A = "sk-deploy-alpha01";
const B = "sk-deploy-bravo02";

type Send = (sim: Simulator, key: string, text?: string, opts?: { stream?: boolean; signal?: AbortSignal }) => Promise<Response>;

/** One chat-like request in each format, authenticated with `key` the way that format carries it. */
const FORMATS: Record<"openai" | "azure" | "anthropic" | "gemini", Send> = {
  openai: (sim, key, text = "hi", opts = {}) =>
    post(sim, "/v1/chat/completions", { model: "m", messages: [{ role: "user", content: text }], stream: opts.stream ?? false }, { authorization: `Bearer ${key}` }, opts.signal),
  azure: (sim, key, text = "hi", opts = {}) =>
    post(sim, "/openai/deployments/d/chat/completions?api-version=2024-10-21", { model: "m", messages: [{ role: "user", content: text }], stream: opts.stream ?? false }, { "api-key": key }, opts.signal),
  anthropic: (sim, key, text = "hi", opts = {}) =>
    post(sim, "/v1/messages", { model: "m", max_tokens: 50, messages: [{ role: "user", content: text }], stream: opts.stream ?? false }, { "anthropic-version": "2023-06-01", "x-api-key": key }, opts.signal),
  gemini: (sim, key, text = "hi", opts = {}) =>
    post(sim, `/v1beta/models/m:${opts.stream ? "streamGenerateContent?alt=sse" : "generateContent"}`, { contents: [{ parts: [{ text }] }] }, { "x-goog-api-key": key }, opts.signal),
};

/** Status of a request in every format, in FORMATS order. */
async function statuses(sim: Simulator, key: string, text?: string): Promise<number[]> {
  const out: number[] = [];
  for (const send of Object.values(FORMATS)) {
    const res = await send(sim, key, text);
    await res.text();
    out.push(res.status);
  }
  return out;
}

describe("per-key faults", () => {
  it("fails every request of the faulted key in its format's shape, while the other key succeeds", async () => {
    const sim = await start({ apiKeys: [A, B], keyFaults: { [B]: "500" } });
    expect(await statuses(sim, A)).toEqual([200, 200, 200, 200]);
    const openai = await FORMATS.openai(sim, B);
    expect(openai.status).toBe(500);
    expect(((await openai.json()) as Json).error).toMatchObject({ type: "server_error", code: null });
    const anthropic = await FORMATS.anthropic(sim, B);
    expect(anthropic.status).toBe(500);
    expect(await anthropic.json()).toEqual({ type: "error", error: { type: "api_error", message: expect.stringContaining("simulated fault") } });
    const azure = await FORMATS.azure(sim, B);
    expect(azure.status).toBe(500);
    expect(((await azure.json()) as Json).error.type).toBe("server_error");
    const gemini = await FORMATS.gemini(sim, B);
    expect(gemini.status).toBe(500);
    expect(((await gemini.json()) as Json).error).toMatchObject({ code: 500, status: "INTERNAL" });
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ faults: 4, completed: 4, requests: 8 });
    expect(sim.stats().byKey).toEqual({
      [keyLabel(A)]: { requests: 4, completed: 4, inFlight: 0, maxInFlight: 1, faults: 0 },
      [keyLabel(B)]: { requests: 4, completed: 0, inFlight: 0, maxInFlight: 1, faults: 4 },
    });
  });

  it("lets a directive in the prompt win over the key's fault", async () => {
    const sim = await start({ apiKey: A, keyFaults: { [A]: "500" } });
    expect(await statuses(sim, A, "[sim:fault=429]")).toEqual([429, 429, 429, 429]);
    expect(await statuses(sim, A, "[sim:fault=503]")).toEqual([503, 503, 529, 503]);
    expect(await statuses(sim, A)).toEqual([500, 500, 500, 500]);
  });

  it("applies stream faults to streamed requests of the key", async () => {
    const sim = await start({ apiKeys: [A], keyFaults: { [A]: "midstream" }, outputTokens: 20 });
    const openai = await FORMATS.openai(sim, A, "hi", { stream: true });
    expect(openai.status).toBe(200);
    const data = sseData(await openai.text());
    expect(data).not.toContain("[DONE]");
    expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { type: "server_error" } });
    const anthropic = await FORMATS.anthropic(sim, A, "hi", { stream: true });
    expect(anthropicEvents(await anthropic.text()).at(-1)).toMatchObject({ event: "error", data: { error: { type: "overloaded_error" } } });
    const gemini = await FORMATS.gemini(sim, A, "hi", { stream: true });
    expect(JSON.parse(sseData(await gemini.text(), "\r\n\r\n").at(-1)!)).toMatchObject({ error: { status: "UNAVAILABLE" } });
    // Unstreamed, midstream is a 503 as with the directive.
    expect((await FORMATS.openai(sim, A)).status).toBe(503);
  });

  it("selects a key's fault even with authentication off", async () => {
    const sim = await start({ keyFaults: { [B]: "429" } });
    expect(await statuses(sim, A)).toEqual([200, 200, 200, 200]);
    expect(await statuses(sim, B)).toEqual([429, 429, 429, 429]);
  });

  it("takes keyFaults from POST /sim/config and clears them with {}", async () => {
    const sim = await start({ apiKeys: [A, B] });
    const set = (patch: unknown): Promise<Response> => post(sim, "/sim/config", patch);
    const ok = await set({ keyFaults: { [A]: "503" } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Json).keyFaults).toEqual({ [A]: "503" });
    expect(await statuses(sim, A)).toEqual([503, 503, 529, 503]);
    expect(await statuses(sim, B)).toEqual([200, 200, 200, 200]);
    // An invalid patch is refused whole and names the key only by its label.
    const bad = await set({ keyFaults: { [A]: "explode" } });
    expect(bad.status).toBe(400);
    const message = ((await bad.json()) as Json).error.message as string;
    expect(message).toContain(keyLabel(A));
    expect(message).not.toContain(A);
    expect((await set({ keyFaults: [] })).status).toBe(400);
    expect((await set({ keyFaults: { [A]: 500 } })).status).toBe(400);
    expect((await FORMATS.openai(sim, A)).status).toBe(503);
    expect(((await (await fetch(`${sim.url}/sim/config`)).json()) as Json).keyFaults).toEqual({ [A]: "503" });
    sim.configure({ keyFaults: {} });
    expect(await statuses(sim, A)).toEqual([200, 200, 200, 200]);
    expect((await set({ keyFaults: { [B]: "HTML" } })).status).toBe(200);
    expect((await FORMATS.openai(sim, B)).headers.get("content-type")).toBe("text/html");
    expect((await set({ keyFaults: null })).status).toBe(200);
    expect((await FORMATS.openai(sim, B)).status).toBe(200);
  });

  it("validates keyFaults and apiKeys with SimConfigError", async () => {
    const sim = await start();
    expect(() => sim.configure({ keyFaults: { [A]: "boom" as never } })).toThrow(SimConfigError);
    expect(() => sim.configure({ keyFaults: { [A]: "boom" as never } })).toThrow(/keyFaults\["…lpha01"\] must be one of 500, 503/);
    expect(() => sim.configure({ keyFaults: { "": "500" } })).toThrow(/empty key/);
    expect(() => sim.configure({ apiKeys: "a,b" as never })).toThrow(/apiKeys must be an array/);
    expect(() => sim.configure({ apiKeys: [A, ""] })).toThrow(SimConfigError);
    await expect(start({ keyFaults: { [A]: "slow" as never } })).rejects.toThrow(SimConfigError);
    // Only own entries count: inherited names are not faults.
    expect(keyFault(resolveOptions({ keyFaults: { [A]: "reset" } }), "constructor")).toBeUndefined();
    expect(keyFault(resolveOptions({ keyFaults: JSON.parse(`{"__proto__":"cut"}`) }), "__proto__")).toBe("cut");
  });
});

describe("several keys", () => {
  it("accepts apiKey and every apiKeys entry, and refuses a key revoked at run time in each format's shape", async () => {
    const MAIN = "sk-main-key-000";
    const sim = await start({ apiKey: MAIN, apiKeys: [A, B] });
    for (const key of [MAIN, A, B]) expect(await statuses(sim, key)).toEqual([200, 200, 200, 200]);
    sim.configure({ apiKeys: [A] });
    const openai = await FORMATS.openai(sim, B);
    expect(openai.status).toBe(401);
    expect(((await openai.json()) as Json).error).toMatchObject({ code: "invalid_api_key" });
    const azure = await FORMATS.azure(sim, B);
    expect(azure.status).toBe(401);
    const anthropic = await FORMATS.anthropic(sim, B);
    expect(anthropic.status).toBe(401);
    expect(await anthropic.json()).toEqual({ type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } });
    const gemini = await FORMATS.gemini(sim, B);
    expect(gemini.status).toBe(400);
    expect(((await gemini.json()) as Json).error).toMatchObject({ status: "INVALID_ARGUMENT", details: [{ reason: "API_KEY_INVALID" }] });
    expect((await fetch(`${sim.url}/v1/models`, { headers: { authorization: `Bearer ${B}` } })).status).toBe(401);
    expect(await statuses(sim, A)).toEqual([200, 200, 200, 200]);
    expect(await statuses(sim, MAIN)).toEqual([200, 200, 200, 200]);
    expect(sim.stats()).toMatchObject({ unauthorized: 5 });
    // Refused requests have no byKey entry of their own; B's counts stop at its revocation.
    expect(sim.stats().byKey[keyLabel(B)]).toMatchObject({ requests: 4, completed: 4 });
  });

  it("keeps authentication on with an empty list and turns it off when both options are unset", async () => {
    const sim = await start({ apiKeys: [A] });
    const set = (patch: unknown): Promise<Response> => post(sim, "/sim/config", patch);
    expect((await set({ apiKeys: [] })).status).toBe(200);
    expect(await statuses(sim, A)).toEqual([401, 401, 401, 400]);
    expect((await set({ apiKeys: [B] })).status).toBe(200);
    expect(await statuses(sim, B)).toEqual([200, 200, 200, 200]);
    expect((await set({ apiKeys: null })).status).toBe(200);
    expect(await statuses(sim, "anything")).toEqual([200, 200, 200, 200]);
    expect((await set({ apiKeys: "nope" })).status).toBe(400);
  });

  it("parses --api-keys as a comma-separated list and documents keyFaults as config-only", () => {
    expect(parseCliArgs(["--api-keys", `${A}, ${B}`, "--api-key", "k0"]).options).toEqual({ apiKeys: [A, B], apiKey: "k0" });
    expect(() => parseCliArgs(["--api-keys", "a,,b"])).toThrow(/apiKeys/);
    expect(USAGE).toContain("--api-keys");
    expect(USAGE).toMatch(/keyFaults.*POST \/sim\/config/);
  });
});

describe("per-key counters", () => {
  it("counts requests, completions, faults and in-flight peaks per key", async () => {
    const sim = await start({ apiKeys: [A, B], ttftMs: 300 });
    const pending = [FORMATS.openai(sim, A), FORMATS.anthropic(sim, A), FORMATS.gemini(sim, B)];
    await waitFor(() => sim.stats().inFlight === 3);
    expect(sim.stats().byKey[keyLabel(A)]).toMatchObject({ inFlight: 2, maxInFlight: 2 });
    expect((await Promise.all(pending)).map((r) => r.status)).toEqual([200, 200, 200]);
    sim.configure({ ttftMs: 0 });
    expect((await FORMATS.azure(sim, B, "[sim:fault=503]")).status).toBe(503);
    expect((await FORMATS.openai(sim, "wrong")).status).toBe(401);
    await waitFor(() => sim.stats().inFlight === 0);
    const stats = (await (await fetch(`${sim.url}/sim/stats`)).json()) as Json;
    expect(stats.byKey).toEqual({
      "…lpha01": { requests: 2, completed: 2, inFlight: 0, maxInFlight: 2, faults: 0 },
      "…ravo02": { requests: 2, completed: 1, inFlight: 0, maxInFlight: 1, faults: 1 },
    });
    expect(stats).toMatchObject({ requests: 5, completed: 3, faults: 1, unauthorized: 1, maxInFlight: 3 });
  });

  it("counts POST /auth tokens under token and keeps no entry for anonymous requests", async () => {
    const sim = await start();
    const { token } = (await (await post(sim, "/auth", { username: "sim-user", password: "sim-pass" })).json()) as Json;
    expect((await FORMATS.openai(sim, token)).status).toBe(200);
    expect((await post(sim, "/v1/chat/completions", { model: "m", messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
    await waitFor(() => sim.stats().completed === 2);
    expect(sim.stats().byKey).toEqual({ token: { requests: 1, completed: 1, inFlight: 0, maxInFlight: 1, faults: 0 } });
  });

  it("reset zeroes them but keeps a key's live inFlight", async () => {
    const sim = await start({ apiKeys: [A, B] });
    expect(await statuses(sim, B)).toEqual([200, 200, 200, 200]);
    const ac = new AbortController();
    const hung = FORMATS.anthropic(sim, A, "[sim:fault=hang]", { signal: ac.signal });
    await waitFor(() => sim.stats().inFlight === 1);
    await post(sim, "/sim/reset", {});
    expect(sim.stats().byKey).toEqual({
      [keyLabel(A)]: { requests: 0, completed: 0, inFlight: 1, maxInFlight: 1, faults: 0 },
      [keyLabel(B)]: { requests: 0, completed: 0, inFlight: 0, maxInFlight: 0, faults: 0 },
    });
    ac.abort();
    await expect(hung).rejects.toThrow();
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats().byKey[keyLabel(A)]).toEqual({ requests: 0, completed: 0, inFlight: 0, maxInFlight: 1, faults: 0 });
    sim.reset();
    expect(sim.stats().byKey[keyLabel(A)]!.maxInFlight).toBe(0);
  });

  it("returns snapshots that later requests do not change", async () => {
    const sim = await start({ apiKeys: [A] });
    await (await FORMATS.openai(sim, A)).text();
    const before = sim.stats();
    await (await FORMATS.openai(sim, A)).text();
    expect(before.byKey[keyLabel(A)]!.requests).toBe(1);
    expect(sim.stats().byKey[keyLabel(A)]!.requests).toBe(2);
  });
});
