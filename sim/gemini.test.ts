// Tests of the Gemini API: generateContent, streamGenerateContent (SSE and JSON array), function calls, auth, errors and faults.
import { describe, expect, it } from "vitest";
import type { Simulator } from "./server.ts";
import type { Json } from "./testkit.ts";
import { post, readToBreak, simulators, sseData, waitFor } from "./testkit.ts";

const start = simulators();
const KEY = { "x-goog-api-key": "gk-sim" };
const MODEL = "gemini-sim-flash";

function generate(sim: Simulator, text: string, extra: Json = {}, opts: { stream?: boolean; query?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const method = opts.stream ? "streamGenerateContent" : "generateContent";
  const query = opts.query ?? (opts.stream ? "?alt=sse" : "");
  return post(sim, `/v1beta/models/${MODEL}:${method}${query}`, { contents: [{ role: "user", parts: [{ text }] }], ...extra }, opts.headers ?? KEY);
}

const chunksOf = (text: string): Json[] => sseData(text, "\r\n\r\n").map((d) => JSON.parse(d) as Json);

const DECLS = [
  { name: "get_weather", description: "Weather", parameters: { type: "OBJECT", properties: { city: { type: "STRING" }, days: { type: "INTEGER" } }, required: ["city"] } },
  { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" }, exact: { type: "boolean" } } } },
];

describe("Gemini generateContent", () => {
  it("returns candidates, usageMetadata, modelVersion and responseId", async () => {
    const sim = await start({ outputTokens: 3 });
    const res = await generate(sim, "x".repeat(8), {
      systemInstruction: { parts: [{ text: "yyyy" }] },
      generationConfig: { temperature: 0.2, topP: 0.9, topK: 3, stopSequences: ["END"], responseMimeType: "text/plain", candidateCount: 1 },
      safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      candidates: [{ content: { role: "model", parts: [{ text: "tok1 tok2 tok3" }] }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 3, totalTokenCount: 6 },
      modelVersion: MODEL,
      responseId: "sim-1",
    });
    expect(sim.stats()).toMatchObject({ requests: 1, completed: 1 });
    expect(sim.requests()).toHaveLength(1);
  });

  it("stops at maxOutputTokens with MAX_TOKENS and accepts the key as ?key=", async () => {
    const sim = await start({ apiKey: "gk-sim" });
    const res = await generate(sim, "hi", { generationConfig: { maxOutputTokens: 2 } }, { query: "?key=gk-sim", headers: {} });
    const body = (await res.json()) as Json;
    expect(body.candidates[0]).toMatchObject({ finishReason: "MAX_TOKENS", content: { parts: [{ text: "tok1 tok2" }] } });
    expect(body.usageMetadata.candidatesTokenCount).toBe(2);
  });

  it("streams SSE chunks with CRLF, the last with finishReason and usageMetadata, no [DONE]", async () => {
    const sim = await start({ outputTokens: 3, tokensPerSecond: 1000 });
    const res = await generate(sim, "hello", {}, { stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await res.text();
    expect(text.startsWith("data: {")).toBe(true);
    expect(text.endsWith("}\r\n\r\n")).toBe(true);
    expect(text).not.toContain("[DONE]");
    const chunks = chunksOf(text);
    expect(chunks.map((c) => c.candidates[0].content.parts[0].text).join("")).toBe("tok1 tok2 tok3");
    expect(chunks.every((c) => c.responseId === "sim-1" && c.modelVersion === MODEL && c.candidates[0].content.role === "model")).toBe(true);
    expect(chunks.slice(0, -1).some((c) => "finishReason" in c.candidates[0] || "usageMetadata" in c)).toBe(false);
    expect(chunks.at(-1)).toMatchObject({ candidates: [{ finishReason: "STOP" }], usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 3, totalTokenCount: 5 } });
    await waitFor(() => sim.stats().completed === 1);
  });

  it("streams a JSON array without alt=sse", async () => {
    const sim = await start({ outputTokens: 2 });
    const res = await generate(sim, "hello", {}, { stream: true, query: "" });
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const chunks = JSON.parse(await res.text()) as Json[];
    expect(chunks.map((c) => c.candidates[0].content.parts[0].text).join("")).toBe("tok1 tok2");
    expect(chunks.at(-1)!.candidates[0].finishReason).toBe("STOP");
  });

  it("calls functions for a directive, mode ANY (first allowed) and not under NONE or after a functionResponse", async () => {
    const sim = await start();
    const tools = [{ functionDeclarations: DECLS }, { googleSearch: {} }];
    const directed = (await (await generate(sim, "[sim:tool=lookup][sim:tool=get_weather]", { tools })).json()) as Json;
    expect(directed.candidates[0]).toEqual({
      content: { role: "model", parts: [{ functionCall: { name: "lookup", args: { q: "sample", exact: true } } }, { functionCall: { name: "get_weather", args: { city: "sample" } } }] },
      finishReason: "STOP",
      index: 0,
    });
    const any = (await (await generate(sim, "hi", { tools, toolConfig: { functionCallingConfig: { mode: "ANY" } } })).json()) as Json;
    expect(any.candidates[0].content.parts).toEqual([{ functionCall: { name: "get_weather", args: { city: "sample" } } }]);
    const allowed = (await (await generate(sim, "hi", { tools, toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["lookup"] } } })).json()) as Json;
    expect(allowed.candidates[0].content.parts[0].functionCall.name).toBe("lookup");
    const none = (await (await generate(sim, "[sim:tool=lookup]", { tools, toolConfig: { functionCallingConfig: { mode: "NONE" } } })).json()) as Json;
    expect(none.candidates[0].content.parts[0].text).toMatch(/^tok1/);
    const contents = [
      { role: "user", parts: [{ text: "weather? [sim:tool=get_weather]" }] },
      { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Oslo" } } }] },
      { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { sky: "clear" } } }] },
    ];
    const after = (await (await post(sim, `/v1beta/models/${MODEL}:generateContent`, { contents, tools, toolConfig: { functionCallingConfig: { mode: "ANY" } } }, KEY)).json()) as Json;
    expect(after.candidates[0].content.parts[0].text).toMatch(/^tok1/);
  });

  it("streams function calls whole in one chunk", async () => {
    const sim = await start();
    const res = await generate(sim, "[sim:tool=get_weather]", { tools: [{ functionDeclarations: DECLS }] }, { stream: true });
    const chunks = chunksOf(await res.text());
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({
      candidates: [{ content: { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "sample" } } }] }, finishReason: "STOP" }],
      usageMetadata: { candidatesTokenCount: expect.any(Number) },
    });
  });

  it("validates requests with INVALID_ARGUMENT", async () => {
    const sim = await start();
    const url = `/v1beta/models/${MODEL}:generateContent`;
    const cases: Json[] = [
      {},
      { contents: [] },
      { contents: [{ role: "assistant", parts: [{ text: "x" }] }] },
      { contents: [{ role: "user", parts: [] }] },
      { contents: [{ parts: [{ colour: "red" }] }] },
      { contents: [{ parts: [{ text: "a", inlineData: { mimeType: "image/png", data: "x" } }] }] },
      { contents: [{ parts: [{ inlineData: { mimeType: "image/png" } }] }] },
      { contents: [{ parts: [{ text: "x" }] }], generationConfig: { maxOutputTokens: "many" } },
      { contents: [{ parts: [{ text: "x" }] }], toolConfig: { functionCallingConfig: { mode: "ANY" } } },
      { contents: [{ parts: [{ text: "x" }] }], toolConfig: { functionCallingConfig: { mode: "SOMETIMES" } } },
      { contents: [{ parts: [{ text: "[sim:tool=lookup]" }] }] },
      { contents: [{ parts: [{ text: "x" }] }], tools: [{ functionDeclarations: [{ name: "9bad name" }] }] },
    ];
    for (const body of cases) {
      const res = await post(sim, url, body, KEY);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as Json).error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT", message: expect.any(String) });
    }
    const ok = { contents: [{ parts: [{ text: "x" }, { inlineData: { mimeType: "image/png", data: "AA" } }, { fileData: { mimeType: "application/pdf", fileUri: "gs://b/f" } }] }] };
    expect((await post(sim, url, ok, KEY)).status).toBe(200);
    await waitFor(() => sim.stats().inFlight === 0);
  });

  it("answers a missing key 403 PERMISSION_DENIED and a wrong one 400 API_KEY_INVALID", async () => {
    const sim = await start({ apiKey: "gk-sim" });
    const missing = await generate(sim, "hi", {}, { headers: {} });
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as Json).error).toMatchObject({ code: 403, status: "PERMISSION_DENIED", message: expect.stringMatching(/unregistered callers/) });
    const wrong = await generate(sim, "hi", {}, { headers: { "x-goog-api-key": "nope" } });
    expect(wrong.status).toBe(400);
    const err = ((await wrong.json()) as Json).error;
    expect(err).toMatchObject({ code: 400, status: "INVALID_ARGUMENT", message: "API key not valid. Please pass a valid API key." });
    expect(err.details[0]).toMatchObject({ reason: "API_KEY_INVALID" });
    expect((await generate(sim, "hi", {}, { query: "?key=nope", headers: {} })).status).toBe(400);
    expect((await generate(sim, "hi")).status).toBe(200);
    expect(sim.stats()).toMatchObject({ unauthorized: 3, completed: 1 });
  });

  it("maps faults to INTERNAL, UNAVAILABLE and RESOURCE_EXHAUSTED", async () => {
    const sim = await start({ retryAfterSeconds: 5 });
    const expectError = async (fault: string, code: number, status: string): Promise<Json> => {
      const res = await generate(sim, `[sim:fault=${fault}]`);
      expect(res.status).toBe(code);
      const body = (await res.json()) as Json;
      expect(body.error).toMatchObject({ code, status, message: expect.any(String) });
      if (code === 429) expect(res.headers.get("retry-after")).toBe("5");
      return body;
    };
    await expectError("500", 500, "INTERNAL");
    await expectError("503", 503, "UNAVAILABLE");
    const limited = await expectError("429", 429, "RESOURCE_EXHAUSTED");
    expect(limited.error.details).toContainEqual({ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "5s" });
    await expect(generate(sim, "[sim:fault=reset]")).rejects.toThrow();
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ faults: 4, completed: 0 });
  });

  it("cuts, fails midstream with an error chunk, and breaks JSON in streams", async () => {
    const sim = await start({ outputTokens: 20 });
    const cut = await readToBreak(await generate(sim, "[sim:fault=cut]", {}, { stream: true }));
    expect(cut.failed).toBe(true);
    const cutChunks = chunksOf(cut.text);
    expect(cutChunks.length).toBeGreaterThan(0);
    expect(cutChunks.some((c) => c.candidates[0].finishReason)).toBe(false);
    const mid = chunksOf(await (await generate(sim, "[sim:fault=midstream]", {}, { stream: true })).text());
    expect(mid.at(-1)).toEqual({ error: { code: 503, status: "UNAVAILABLE", message: expect.any(String) } });
    const malformed = await (await generate(sim, "[sim:fault=malformed]", {}, { stream: true })).text();
    expect(() => chunksOf(malformed)).toThrow();
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ faults: 3, aborted: 0 });
  });

  it("429s over the concurrency cap in Gemini's shape and 404s unknown methods", async () => {
    const sim = await start({ maxConcurrency: 0 });
    const res = await generate(sim, "hi");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(((await res.json()) as Json).error).toMatchObject({ code: 429, status: "RESOURCE_EXHAUSTED" });
    const missing = await post(sim, `/v1beta/models/${MODEL}:embedText`, {}, KEY);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as Json).error).toMatchObject({ code: 404, status: "NOT_FOUND" });
  });
});
