import { describe, expect, it } from "vitest";
import { parseSse } from "../../src/core/sse.ts";
import { adminKey, call, chat, simStats } from "./helpers.ts";

async function readEvents(res: Response): Promise<string[]> {
  return parseSse(new Uint8Array(await res.arrayBuffer())).map((e) => e.data);
}

describe("POST /v1/chat/completions", () => {
  it("returns a chat.completion from the simulated provider under the public model name", async () => {
    const key = await adminKey();
    const res = await chat(key, "hello", { model: "sim-alias" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; model: string; choices: { message: { content: string } }[]; usage: { total_tokens: number } };
    expect(body.object).toBe("chat.completion");
    expect(body.model).toBe("sim-alias");
    expect(body.choices[0]?.message.content).toMatch(/tok1/);
    expect(body.usage.total_tokens).toBeGreaterThan(0);
  });

  it("streams SSE chunks ending in [DONE], with usage only when asked", async () => {
    const key = await adminKey();
    const plain = await chat(key, "hi", { stream: true });
    expect(plain.headers.get("content-type")).toMatch(/text\/event-stream/);
    const events = await readEvents(plain);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === "sim-small")).toBe(true);
    expect(chunks.some((c) => c.usage)).toBe(false);

    const withUsage = await readEvents(await chat(key, "hi", { stream: true, stream_options: { include_usage: true } }));
    const last = JSON.parse(withUsage.at(-2)!);
    expect(last.choices).toEqual([]);
    expect(last.usage.completion_tokens).toBeGreaterThan(0);
  });

  it("ends a stream cut by the upstream with an SSE error event, not a clean close", async () => {
    const key = await adminKey();
    const events = await readEvents(await chat(key, "go [sim:fault=cut]", { stream: true }));
    expect(events).not.toContain("[DONE]");
    const last = JSON.parse(events.at(-1)!);
    expect(last.error.code).toBe("upstream_stream_cut");
  });

  it("maps upstream failures to 502/503/504 with the OpenAI error shape", async () => {
    const key = await adminKey();
    const cases: [string, number][] = [
      ["[sim:fault=500]", 502],
      ["[sim:fault=503]", 503],
      ["[sim:fault=malformed]", 502],
      ["[sim:fault=reset]", 502],
      ["[sim:fault=hang]", 504],
    ];
    for (const [directive, status] of cases) {
      const res = await chat(key, `x ${directive}`);
      expect(res.status, directive).toBe(status);
      const body = (await res.json()) as { error: { message: string; type: string; code: string } };
      expect(body.error.type).toBe("upstream_error");
      expect(JSON.stringify(body)).not.toContain("sk-sim-test");
    }
  });

  it("passes an upstream 429 on with Retry-After", async () => {
    const key = await adminKey();
    const res = await chat(key, "x [sim:fault=429]");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeTruthy();
  });

  it("sends the provider key upstream and never shows it", async () => {
    const before = await simStats();
    const key = await adminKey();
    const res = await chat(key);
    expect(res.status).toBe(200);
    expect((await simStats()).unauthorized).toBe(before.unauthorized);
  });
});

describe("bad input", () => {
  it("answers a wrong key, malformed body, invalid JSON and unknown model with 4xx OpenAI errors", async () => {
    const key = await adminKey();
    const wrong = await chat("sk-gw-not-a-real-key");
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");

    const missing = await call("/v1/chat/completions", { method: "POST", json: { model: "sim-small", messages: [] } });
    expect(missing.status).toBe(401);

    const malformed = await call("/v1/chat/completions", { method: "POST", key, json: { model: "sim-small", messages: [] } });
    expect(malformed.status).toBe(400);
    const m = (await malformed.json()) as { error: { param: string; type: string } };
    expect(m.error.param).toBe("messages");
    expect(m.error.type).toBe("invalid_request_error");

    const badTemp = await chat(key, "x", { temperature: 9 });
    expect(badTemp.status).toBe(400);
    expect(((await badTemp.json()) as { error: { param: string } }).error.param).toBe("temperature");

    const invalid = await call("/v1/chat/completions", { method: "POST", key, body: "{not json", headers: { "content-type": "application/json" } });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe("invalid_json");

    const unknown = await chat(key, "x", { model: "no-such-model" });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: "model_not_found", param: "model" });
  });

  it("answers a body over the limit with 413", async () => {
    const key = await adminKey();
    const res = await chat(key, "x".repeat(5 * 1024 * 1024));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
  });

  it("answers an unknown route with a 404 OpenAI error", async () => {
    const res = await call("/v1/nothing-here", { key: await adminKey() });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("not_found_error");
  });
});
