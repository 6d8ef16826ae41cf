// Behaviour tests for the upstream simulator over real sockets on 127.0.0.1.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { SimOptions, SimStats, Simulator } from "./server.ts";
import { startSimulator } from "./server.ts";

const running: Simulator[] = [];

async function start(opts: SimOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ ttftMs: 0, tokensPerSecond: Infinity, ...opts });
  running.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

interface ChatInit {
  stream?: boolean;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

function chat(sim: Simulator, content: string, init: ChatInit = {}): Promise<Response> {
  const body = { model: "sim-small", messages: [{ role: "user", content }], stream: init.stream ?? false, ...init.body };
  return fetch(`${sim.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...init.headers },
    body: JSON.stringify(body),
    signal: init.signal ?? AbortSignal.timeout(8000),
  });
}

/** Polls `cond` every 5 ms until it holds; fails after `ms`. */
async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

function sseData(text: string): string[] {
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice("data: ".length));
}

type Json = Record<string, any>;

describe("completions", () => {
  it("returns a chat.completion with deterministic content and usage", async () => {
    const sim = await start({ outputTokens: 5 });
    const content = "x".repeat(10);
    const res = await chat(sim, content, { body: { model: "my-model" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.id).toMatch(/^chatcmpl-sim-/);
    expect(body.object).toBe("chat.completion");
    expect(typeof body.created).toBe("number");
    expect(body.model).toBe("my-model");
    expect(body.choices).toHaveLength(1);
    expect(body.choices[0].message).toMatchObject({ role: "assistant", content: "tok1 tok2 tok3 tok4 tok5" });
    expect(body.choices[0].finish_reason).toBe("stop");
    expect(body.usage).toEqual({ prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 });
    expect(sim.stats()).toMatchObject({ requests: 1, completed: 1, inFlight: 0, maxInFlight: 1 });
  });

  it("cuts at max_tokens / max_completion_tokens with finish_reason length", async () => {
    const sim = await start();
    const a = (await (await chat(sim, "hi", { body: { max_tokens: 3 } })).json()) as Json;
    expect(a.choices[0]).toMatchObject({ finish_reason: "length", message: { content: "tok1 tok2 tok3" } });
    expect(a.usage.completion_tokens).toBe(3);
    const b = (await (await chat(sim, "hi", { body: { max_completion_tokens: 2 } })).json()) as Json;
    expect(b.choices[0].finish_reason).toBe("length");
    expect(b.usage.completion_tokens).toBe(2);
    const c = (await (await chat(sim, "hi", { body: { max_tokens: 100 } })).json()) as Json;
    expect(c.choices[0].finish_reason).toBe("stop");
  });

  it("streams role chunk, one chunk per token, finish, usage and [DONE]", async () => {
    const sim = await start({ outputTokens: 4, ttftMs: 5, tokensPerSecond: 1000 });
    const res = await chat(sim, "hello", { stream: true, body: { stream_options: { include_usage: true } } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const data = sseData(await res.text());
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Json);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === "sim-small")).toBe(true);
    expect(chunks[0]!.choices[0].delta).toEqual({ role: "assistant", content: "" });
    const tokens = chunks.slice(1, 5).map((c) => c.choices[0].delta.content as string);
    expect(tokens.join("")).toBe("tok1 tok2 tok3 tok4");
    expect(chunks[5]!.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    expect(chunks[6]).toMatchObject({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 } });
    expect(chunks).toHaveLength(7);
    await waitFor(() => sim.stats().completed === 1);
  });

  it("streams without a usage chunk unless include_usage is set", async () => {
    const sim = await start({ outputTokens: 2 });
    const data = sseData(await (await chat(sim, "hello", { stream: true, body: { max_tokens: 1 } })).text());
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Json);
    expect(data.at(-1)).toBe("[DONE]");
    expect(chunks.map((c) => c.choices[0]?.finish_reason ?? null)).toEqual([null, null, "length"]);
    expect(chunks.some((c) => "usage" in c)).toBe(false);
  });

  it("rejects bad JSON and bad requests with the OpenAI error shape", async () => {
    const sim = await start();
    const res = await fetch(`${sim.url}/v1/chat/completions`, { method: "POST", body: "{nope" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Json;
    expect(body).toEqual({ error: { message: expect.any(String), type: "invalid_request_error", param: null, code: null } });
    expect((await chat(sim, "hi", { body: { messages: [] } })).status).toBe(400);
    expect((await chat(sim, "[sim:fault=explode]")).status).toBe(400);
    expect((await chat(sim, "[sim:colour=red]")).status).toBe(400);
    await waitFor(() => sim.stats().inFlight === 0);
  });
});

describe("other endpoints", () => {
  it("lists models, serves health, stats, reset and 404", async () => {
    const sim = await start();
    const models = (await (await fetch(`${sim.url}/v1/models`)).json()) as Json;
    expect(models.object).toBe("list");
    expect(models.data.map((m: Json) => m.id)).toContain("sim-small");
    expect(models.data[0]).toMatchObject({ object: "model", owned_by: "sim", created: expect.any(Number) });
    expect((await fetch(`${sim.url}/health`)).status).toBe(200);
    await chat(sim, "hi").then((r) => r.text());
    expect(((await (await fetch(`${sim.url}/sim/stats`)).json()) as SimStats).completed).toBe(1);
    expect((await fetch(`${sim.url}/sim/reset`, { method: "POST" })).status).toBe(200);
    expect(sim.stats()).toEqual({ inFlight: 0, maxInFlight: 0, requests: 0, completed: 0, rejected429: 0, faults: 0, aborted: 0, unauthorized: 0, authExchanges: 0, authRefused: 0, byKey: {} });
    const missing = await fetch(`${sim.url}/v2/whatever`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as Json).error).toMatchObject({ type: "invalid_request_error", param: null, code: null });
  });

  it("returns deterministic 8-dimensional embeddings", async () => {
    const sim = await start();
    const embed = async (input: unknown, extra: Json = {}): Promise<Json> => {
      const res = await fetch(`${sim.url}/v1/embeddings`, { method: "POST", body: JSON.stringify({ model: "e", input, ...extra }) });
      expect(res.status).toBe(200);
      return (await res.json()) as Json;
    };
    const one = await embed("hello world");
    expect(one).toMatchObject({ object: "list", model: "e", usage: { prompt_tokens: 3, total_tokens: 3 } });
    expect(one.data[0]).toMatchObject({ object: "embedding", index: 0 });
    expect(one.data[0].embedding).toHaveLength(8);
    const many = await embed(["a", "hello world"]);
    expect(many.data.map((d: Json) => d.index)).toEqual([0, 1]);
    expect(many.data[1].embedding).toEqual(one.data[0].embedding);
    expect(many.data[0].embedding).not.toEqual(one.data[0].embedding);
    const b64 = await embed("hello world", { encoding_format: "base64" });
    const buf = Buffer.from(b64.data[0].embedding as string, "base64");
    expect(Array.from(new Float32Array(buf.buffer, buf.byteOffset, 8))).toEqual(one.data[0].embedding);
    expect(sim.stats().completed).toBe(3);
  });
});

describe("limits", () => {
  it("admits exactly maxConcurrency requests and 429s the rest", async () => {
    const cap = 3;
    const sim = await start({ maxConcurrency: cap, ttftMs: 1000, retryAfterSeconds: 2 });
    const responses = await Promise.all(
      Array.from({ length: cap + 3 }, () => chat(sim, "hi").then(async (r) => ({ r, body: (await r.json()) as Json }))),
    );
    const ok = responses.filter((x) => x.r.status === 200);
    const limited = responses.filter((x) => x.r.status === 429);
    expect(ok).toHaveLength(cap);
    expect(limited).toHaveLength(3);
    for (const { r, body } of limited) {
      expect(r.headers.get("retry-after")).toBe("2");
      expect(body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
    }
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ maxInFlight: cap, rejected429: 3, completed: cap, requests: cap + 3, aborted: 0 });
  });

  it("enforces rpm with rate-limit headers, and reset clears the window", async () => {
    const sim = await start({ rpm: 3 });
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await chat(sim, "hi");
      expect(r.status).toBe(200);
      expect(r.headers.get("x-ratelimit-limit-requests")).toBe("3");
      remaining.push(r.headers.get("x-ratelimit-remaining-requests"));
      await r.text();
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const limited = await chat(sim, "hi");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(((await limited.json()) as Json).error.type).toBe("rate_limit_error");
    expect(sim.stats().rejected429).toBe(1);
    sim.reset();
    expect((await chat(sim, "hi")).status).toBe(200);
  });

  it("omits rate-limit headers when rpm is unlimited", async () => {
    const sim = await start();
    const r = await chat(sim, "hi");
    expect(r.headers.has("x-ratelimit-limit-requests")).toBe(false);
  });

  it("requires the API key when configured", async () => {
    const sim = await start({ apiKey: "sk-sim" });
    const none = await chat(sim, "hi");
    expect(none.status).toBe(401);
    expect(((await none.json()) as Json).error.type).toBe("invalid_request_error");
    expect((await chat(sim, "hi", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await fetch(`${sim.url}/v1/models`)).status).toBe(401);
    expect((await chat(sim, "hi", { headers: { authorization: "Bearer sk-sim" } })).status).toBe(200);
    expect(sim.stats()).toMatchObject({ unauthorized: 3, completed: 1, maxInFlight: 1 });
  });
});

describe("faults", () => {
  it("returns 500, 503 and 429 error faults", async () => {
    const sim = await start({ retryAfterSeconds: 7 });
    const r500 = await chat(sim, "go [sim:fault=500]");
    expect(r500.status).toBe(500);
    expect(((await r500.json()) as Json).error).toMatchObject({ type: "server_error", param: null, code: null });
    const r503 = await chat(sim, "go [sim:fault=503]", { stream: true });
    expect(r503.status).toBe(503);
    expect(((await r503.json()) as Json).error.message).toEqual(expect.any(String));
    const r429 = await chat(sim, "go [sim:fault=429]");
    expect(r429.status).toBe(429);
    expect(r429.headers.get("retry-after")).toBe("7");
    expect(((await r429.json()) as Json).error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ faults: 3, completed: 0, rejected429: 0 });
  });

  it("reads directives only from the last user message", async () => {
    const sim = await start();
    const messages = [
      { role: "user", content: "[sim:fault=500]" },
      { role: "assistant", content: "ok" },
      { role: "user", content: [{ type: "text", text: "part [sim:tokens=2]" }] },
    ];
    const body = (await (await chat(sim, "", { body: { messages } })).json()) as Json;
    expect(body.usage.completion_tokens).toBe(2);
    expect(sim.stats().faults).toBe(0);
  });

  it("hang keeps the request in flight until the client aborts", async () => {
    const sim = await start();
    const ac = new AbortController();
    const pending = chat(sim, "[sim:fault=hang]", { signal: ac.signal });
    await waitFor(() => sim.stats().inFlight === 1);
    ac.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ faults: 1, aborted: 1, completed: 0 });
  });

  it("reset destroys the connection without a response", async () => {
    const sim = await start();
    await expect(chat(sim, "[sim:fault=reset]")).rejects.toThrow();
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ faults: 1, aborted: 0 });
  });

  it("malformed sends a non-JSON body or a broken SSE line", async () => {
    const sim = await start();
    const plain = await chat(sim, "[sim:fault=malformed]");
    expect(plain.status).toBe(200);
    await expect(plain.json()).rejects.toThrow();
    const streamed = await chat(sim, "[sim:fault=malformed]", { stream: true });
    expect(streamed.status).toBe(200);
    const lines = sseData(await streamed.text());
    const unparsable = lines.filter((l) => {
      if (l === "[DONE]") return false;
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    expect(unparsable.length).toBeGreaterThan(0);
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ faults: 2, completed: 0 });
  });

  it("cut drops a stream after a few chunks, before [DONE]", async () => {
    const sim = await start({ outputTokens: 20 });
    const res = await chat(sim, "[sim:fault=cut]", { stream: true });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let failed = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      failed = true;
    }
    expect(failed).toBe(true);
    const data = sseData(text);
    expect(data.length).toBeGreaterThan(1);
    expect(data).not.toContain("[DONE]");
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ faults: 1, aborted: 0, completed: 0 });
  });

  it("midstream ends a stream with an error chunk and no [DONE]; unstreamed it is a 503", async () => {
    const sim = await start({ outputTokens: 20 });
    const streamed = await chat(sim, "[sim:fault=midstream]", { stream: true });
    expect(streamed.status).toBe(200);
    const data = sseData(await streamed.text());
    expect(data).not.toContain("[DONE]");
    const chunks = data.map((d) => JSON.parse(d) as Json);
    expect(chunks.slice(1, -1).map((c) => c.choices[0].delta.content).join("")).toBe("tok1 tok2 tok3");
    expect(chunks.at(-1)).toEqual({ error: { message: expect.any(String), type: "server_error", param: null, code: null } });
    expect((await chat(sim, "[sim:fault=midstream]")).status).toBe(503);
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ faults: 2, completed: 0, aborted: 0 });
  });

  it("cut drops a non-streaming body midway", async () => {
    const sim = await start();
    const res = await chat(sim, "[sim:fault=cut]");
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    await waitFor(() => sim.stats().inFlight === 0);
  });

  it("latency and tokens directives override the configured values", async () => {
    const sim = await start({ ttftMs: 60_000 });
    const body = (await (await chat(sim, "[sim:latency=0][sim:tokens=12]")).json()) as Json;
    expect(body.usage.completion_tokens).toBe(12);
    expect(body.choices[0].message.content.split(" ")).toHaveLength(12);
  });
});

describe("aborts and run-time config", () => {
  it("a client aborting mid-stream decrements inFlight exactly once", async () => {
    const sim = await start({ ttftMs: 0, tokensPerSecond: 5, outputTokens: 1000 });
    const ac = new AbortController();
    const res = await chat(sim, "hi", { stream: true, signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read(); // at least the first chunk arrived
    expect(sim.stats().inFlight).toBe(1);
    ac.abort();
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ aborted: 1, completed: 0, maxInFlight: 1 });
    // The server is still healthy and accounting stays exact afterwards.
    sim.configure({ tokensPerSecond: Infinity, outputTokens: 2 });
    expect((await chat(sim, "hi")).status).toBe(200);
    await waitFor(() => sim.stats().completed === 1);
    expect(sim.stats()).toMatchObject({ inFlight: 0, aborted: 1 });
  });

  it("a client aborting a non-streaming request is counted as aborted", async () => {
    const sim = await start({ ttftMs: 60_000 });
    const ac = new AbortController();
    const pending = chat(sim, "hi", { signal: ac.signal });
    await waitFor(() => sim.stats().inFlight === 1);
    ac.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats().aborted).toBe(1);
  });

  it("POST /sim/config changes latency and limits for new requests", async () => {
    const sim = await start({ ttftMs: 60_000 });
    const set = (patch: unknown): Promise<Response> =>
      fetch(`${sim.url}/sim/config`, { method: "POST", body: JSON.stringify(patch) });
    const ok = await set({ ttftMs: 0, maxConcurrency: 5 });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Json).ttftMs).toBe(0);
    // Would take 60 s before the change; finishes within the test timeout after it.
    expect((await chat(sim, "hi")).status).toBe(200);
    expect((await set({ ttftMs: "soon" })).status).toBe(400);
    expect((await set({ nonsense: 1 })).status).toBe(400);
    expect((await set({ maxConcurrency: 0 })).status).toBe(200);
    expect((await chat(sim, "hi")).status).toBe(429);
    expect((await set({ maxConcurrency: null })).status).toBe(200);
    expect((await chat(sim, "hi")).status).toBe(200);
  });

  it("configure() validates its input", async () => {
    const sim = await start();
    expect(() => sim.configure({ rpm: -1 })).toThrow(/rpm/);
    expect(() => sim.configure({ port: sim.port + 1 })).toThrow(/port/);
  });
});

describe("cli", () => {
  const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));
  const run = (args: string[]) => spawn(process.execPath, ["--experimental-strip-types", "--no-warnings", cli, ...args]);

  it("prints the listening line and exits cleanly on SIGTERM", async () => {
    const child = run(["--port", "0", "--max-concurrency", "2", "--api-key", "sk-sim"]);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("\n")) resolve(out.trim());
      });
      child.on("exit", () => reject(new Error(`exited early: ${out}`)));
    });
    expect(line).toMatch(/^simulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = line.split(" ").at(-1)!;
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/v1/models`)).status).toBe(401);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("exits 2 on an unknown flag", async () => {
    const child = run(["--bogus", "1"]);
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toMatch(/bogus/);
  });
});
