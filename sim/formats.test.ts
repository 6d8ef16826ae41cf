// Tests of the controls every format shares: one concurrency cap, one RPM window, stats and recorded request bodies.
import { describe, expect, it } from "vitest";
import type { Simulator } from "./server.ts";
import type { Json } from "./testkit.ts";
import { post, simulators, waitFor } from "./testkit.ts";

const start = simulators();

/** One request in each format, carrying `text` as its prompt. */
const REQUESTS: Record<string, (sim: Simulator, text: string, signal?: AbortSignal) => Promise<Response>> = {
  openai: (sim, text, signal) => post(sim, "/v1/chat/completions", { model: "m", messages: [{ role: "user", content: text }] }, {}, signal),
  anthropic: (sim, text, signal) =>
    post(sim, "/v1/messages", { model: "m", max_tokens: 50, messages: [{ role: "user", content: text }] }, { "anthropic-version": "2023-06-01" }, signal),
  gemini: (sim, text, signal) => post(sim, "/v1beta/models/m:generateContent", { contents: [{ parts: [{ text }] }] }, {}, signal),
};

describe("shared controls", () => {
  it("counts one in-flight total across formats against the concurrency cap", async () => {
    const sim = await start({ maxConcurrency: 3, ttftMs: 400 });
    const admitted = Object.values(REQUESTS).map((send) => send(sim, "hi"));
    await waitFor(() => sim.stats().inFlight === 3);
    const refused = await Promise.all(Object.values(REQUESTS).map((send) => send(sim, "hi")));
    expect(refused.map((r) => r.status)).toEqual([429, 429, 429]);
    const [openai, anthropic, gemini] = await Promise.all(refused.map((r) => r.json() as Promise<Json>));
    expect(openai!.error.type).toBe("rate_limit_error");
    expect(anthropic).toEqual({ type: "error", error: { type: "rate_limit_error", message: expect.any(String) } });
    expect(gemini!.error.status).toBe("RESOURCE_EXHAUSTED");
    expect(refused.every((r) => r.headers.get("retry-after") === "1")).toBe(true);
    expect((await Promise.all(admitted)).map((r) => r.status)).toEqual([200, 200, 200]);
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ maxInFlight: 3, rejected429: 3, completed: 3, requests: 6 });
  });

  it("shares one RPM window across formats", async () => {
    const sim = await start({ rpm: 2 });
    expect((await REQUESTS.gemini!(sim, "a")).status).toBe(200);
    expect((await REQUESTS.anthropic!(sim, "b")).status).toBe(200);
    expect((await REQUESTS.openai!(sim, "c")).status).toBe(429);
    expect((await REQUESTS.gemini!(sim, "d")).status).toBe(429);
  });

  it("applies latency and tokens directives and records bodies in every format", async () => {
    const sim = await start({ ttftMs: 60_000 });
    for (const send of Object.values(REQUESTS)) expect((await send(sim, "[sim:latency=0][sim:tokens=2]")).status).toBe(200);
    const { data } = (await (await fetch(`${sim.url}/sim/requests`)).json()) as Json;
    expect(data).toHaveLength(3);
    expect(data[1]).toMatchObject({ max_tokens: 50 });
    expect(data[2]).toMatchObject({ contents: [{ parts: [{ text: "[sim:latency=0][sim:tokens=2]" }] }] });
    expect(sim.stats()).toMatchObject({ completed: 3, requests: 3 });
  });

  it("keeps a hung request of any format in flight until the client aborts", async () => {
    const sim = await start();
    const controllers = Object.values(REQUESTS).map(() => new AbortController());
    const pending = Object.values(REQUESTS).map((send, i) => send(sim, "[sim:fault=hang]", controllers[i]!.signal));
    await waitFor(() => sim.stats().inFlight === 3);
    for (const ac of controllers) ac.abort();
    for (const p of pending) await expect(p).rejects.toThrow();
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ faults: 3, aborted: 3, completed: 0 });
  });
});
