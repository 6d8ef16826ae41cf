// Tests of the Anthropic Messages API: plain and streamed messages, tool use, validation, auth, faults and limits.
import { describe, expect, it } from "vitest";
import type { Simulator } from "./server.ts";
import type { Json } from "./testkit.ts";
import { anthropicEvents, post, readToBreak, simulators, waitFor } from "./testkit.ts";

const start = simulators();
const HEADERS = { "anthropic-version": "2023-06-01", "x-api-key": "sk-ant-sim" };

function messages(sim: Simulator, content: unknown, extra: Json = {}, headers: Record<string, string> = HEADERS): Promise<Response> {
  return post(sim, "/v1/messages", { model: "claude-sim", max_tokens: 1024, messages: [{ role: "user", content }], ...extra }, headers);
}

const TOOL = { name: "get_weather", description: "Weather", input_schema: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city"] } };

describe("Anthropic messages", () => {
  it("returns a message with text, end_turn and usage", async () => {
    const sim = await start({ outputTokens: 3 });
    const res = await messages(sim, "x".repeat(8), { system: "y".repeat(4), temperature: 0.5, top_p: 0.9, top_k: 5, metadata: { user_id: "u" }, stop_sequences: ["END"] });
    expect(res.status).toBe(200);
    expect(res.headers.get("request-id")).toMatch(/^req_sim_/);
    expect(await res.json()).toEqual({
      id: "msg_sim_1",
      type: "message",
      role: "assistant",
      model: "claude-sim",
      content: [{ type: "text", text: "tok1 tok2 tok3" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    expect(sim.stats()).toMatchObject({ requests: 1, completed: 1 });
    expect(sim.requests()).toHaveLength(1);
  });

  it("stops at max_tokens with stop_reason max_tokens and reads [sim:tokens=N] from text blocks", async () => {
    const sim = await start();
    const cut = (await (await messages(sim, "hi", { max_tokens: 2 })).json()) as Json;
    expect(cut).toMatchObject({ stop_reason: "max_tokens", content: [{ text: "tok1 tok2" }], usage: { output_tokens: 2 } });
    const blocks = [{ type: "text", text: "a" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } }, { type: "text", text: "[sim:tokens=4]" }];
    const directed = (await (await messages(sim, blocks)).json()) as Json;
    expect(directed).toMatchObject({ stop_reason: "end_turn", usage: { output_tokens: 4 } });
  });

  it("streams events in Anthropic's order", async () => {
    const sim = await start({ outputTokens: 3, tokensPerSecond: 1000 });
    const res = await messages(sim, "hello", { stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await res.text();
    expect(text.startsWith("event: message_start\ndata: {")).toBe(true);
    const events = anthropicEvents(text);
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const e of events) expect(e.data.type).toBe(e.event);
    expect(events[0]!.data.message).toEqual({
      id: "msg_sim_1",
      type: "message",
      role: "assistant",
      model: "claude-sim",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 2, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    expect(events[1]!.data).toEqual({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
    expect(events.slice(3, 6).map((e) => e.data.delta.text).join("")).toBe("tok1 tok2 tok3");
    expect(events[3]!.data).toEqual({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "tok1" } });
    expect(events[6]!.data).toEqual({ type: "content_block_stop", index: 0 });
    expect(events[7]!.data).toEqual({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 3 } });
    await waitFor(() => sim.stats().completed === 1);
  });

  it("answers a tool directive or tool_choice any/tool with tool_use blocks", async () => {
    const sim = await start();
    const other = { name: "lookup", input_schema: { type: "object", properties: { q: { type: "string" } } } };
    const directed = (await (await messages(sim, "weather [sim:tool=get_weather][sim:tool=lookup]", { tools: [TOOL, other] })).json()) as Json;
    expect(directed.stop_reason).toBe("tool_use");
    expect(directed.content).toEqual([
      { type: "tool_use", id: "toolu_sim_1_0", name: "get_weather", input: { city: "sample" } },
      { type: "tool_use", id: "toolu_sim_1_1", name: "lookup", input: { q: "sample" } },
    ]);
    const any = (await (await messages(sim, "hi", { tools: [TOOL, other], tool_choice: { type: "any" } })).json()) as Json;
    expect(any.content.map((b: Json) => b.name)).toEqual(["get_weather"]);
    const named = (await (await messages(sim, "hi", { tools: [TOOL, other], tool_choice: { type: "tool", name: "lookup" } })).json()) as Json;
    expect(named.content.map((b: Json) => b.name)).toEqual(["lookup"]);
    const single = (await (await messages(sim, "[sim:tool=get_weather][sim:tool=lookup]", { tools: [TOOL, other], tool_choice: { type: "auto", disable_parallel_tool_use: true } })).json()) as Json;
    expect(single.content).toHaveLength(1);
    const none = (await (await messages(sim, "[sim:tool=lookup]", { tools: [TOOL, other], tool_choice: { type: "none" } })).json()) as Json;
    expect(none).toMatchObject({ stop_reason: "end_turn", content: [{ type: "text" }] });
  });

  it("answers in text after tool results and checks tool_use / tool_result pairing", async () => {
    const sim = await start();
    const history = [
      { role: "user", content: "weather? [sim:tool=get_weather]" },
      { role: "assistant", content: [{ type: "text", text: "Let me check." }, { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Oslo" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "sunny" }] }] },
    ];
    const body = { model: "claude-sim", max_tokens: 50, tools: [TOOL], tool_choice: { type: "any" }, messages: history };
    const after = (await (await post(sim, "/v1/messages", body, HEADERS)).json()) as Json;
    expect(after).toMatchObject({ stop_reason: "end_turn", content: [{ type: "text", text: expect.stringMatching(/^tok1/) }] });
    const stray = [...history.slice(0, 2), { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_2", content: "x", is_error: true }] }];
    const r1 = await post(sim, "/v1/messages", { ...body, messages: stray }, HEADERS);
    expect(r1.status).toBe(400);
    expect(((await r1.json()) as Json).error.message).toMatch(/toolu_2/);
    const unanswered = [...history.slice(0, 2), { role: "user", content: "no result" }];
    expect((await post(sim, "/v1/messages", { ...body, messages: unanswered }, HEADERS)).status).toBe(400);
  });

  it("streams tool_use blocks with input_json_delta pieces", async () => {
    const sim = await start();
    const other = { name: "lookup", input_schema: { type: "object", properties: { q: { type: "string" } } } };
    const res = await messages(sim, "[sim:tool=get_weather][sim:tool=lookup]", { stream: true, tools: [TOOL, other] });
    const events = anthropicEvents(await res.text());
    expect(events[0]!.event).toBe("message_start");
    expect(events[1]!.data).toEqual({ type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_sim_1_0", name: "get_weather", input: {} } });
    expect(events[2]!.event).toBe("ping");
    expect(events.filter((e) => e.event === "ping")).toHaveLength(1);
    for (const index of [0, 1]) {
      const deltas = events.filter((e) => e.event === "content_block_delta" && e.data.index === index).map((e) => e.data.delta);
      expect(deltas.length).toBeGreaterThanOrEqual(2);
      expect(deltas.length).toBeLessThanOrEqual(3);
      expect(deltas.every((d) => d.type === "input_json_delta")).toBe(true);
      expect(JSON.parse(deltas.map((d) => d.partial_json).join(""))).toEqual(index === 0 ? { city: "sample" } : { q: "sample" });
    }
    const order = events.map((e) => (e.event === "content_block_delta" ? `delta${e.data.index}` : e.event));
    expect(order.filter((e, i) => e !== order[i - 1])).toEqual([
      "message_start", "content_block_start", "ping", "delta0", "content_block_stop", "content_block_start", "delta1", "content_block_stop", "message_delta", "message_stop",
    ]);
    expect(events.at(-2)!.data.delta).toEqual({ stop_reason: "tool_use", stop_sequence: null });
  });

  it("validates requests like the API, with invalid_request_error", async () => {
    const sim = await start();
    const cases: [Json, RegExp][] = [
      [{ model: "m", messages: [{ role: "user", content: "hi" }] }, /^max_tokens: Field required/],
      [{ model: "m", max_tokens: 0, messages: [{ role: "user", content: "hi" }] }, /^max_tokens: /],
      [{ model: "m", max_tokens: 1.5, messages: [{ role: "user", content: "hi" }] }, /^max_tokens: /],
      [{ max_tokens: 5, messages: [{ role: "user", content: "hi" }] }, /^model: Field required/],
      [{ model: "m", max_tokens: 5, messages: [] }, /^messages: /],
      [{ model: "m", max_tokens: 5, messages: [{ role: "system", content: "hi" }] }, /^messages\.0\.role: /],
      [{ model: "m", max_tokens: 5, messages: [{ role: "user", content: [{ type: "video" }] }] }, /^messages\.0\.content\.0\.type: /],
      [{ model: "m", max_tokens: 5, messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/bmp", data: "x" } }] }] }, /media_type/],
      [{ model: "m", max_tokens: 5, messages: [{ role: "user", content: "" }] }, /non-empty content/],
      [{ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }], temperature: 3 }, /^temperature: /],
      [{ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }], system: [{ type: "image" }] }, /^system\.0/],
      [{ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }], tools: [{ name: "t" }] }, /input_schema: Field required/],
      [{ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }], tools: [TOOL], tool_choice: { type: "tool", name: "x" } }, /not found/],
      [{ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }], tool_choice: { type: "any" } }, /tool_choice/],
      [{ model: "m", max_tokens: 5, messages: [{ role: "user", content: "[sim:tool=get_weather]" }] }, /get_weather/],
      [{ model: "m", max_tokens: 5, messages: [{ role: "user", content: "[sim:fault=nope]" }] }, /nope/],
    ];
    for (const [body, message] of cases) {
      const res = await post(sim, "/v1/messages", body, HEADERS);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const err = (await res.json()) as Json;
      expect(err.type).toBe("error");
      expect(err.error.type).toBe("invalid_request_error");
      expect(err.error.message).toMatch(message);
    }
    const bad = await post(sim, "/v1/messages", "{nope", HEADERS);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).error.type).toBe("invalid_request_error");
    await waitFor(() => sim.stats().inFlight === 0);
  });

  it("requires x-api-key and anthropic-version", async () => {
    const sim = await start({ apiKey: "sk-ant-sim" });
    const missing = await messages(sim, "hi", {}, { "anthropic-version": "2023-06-01" });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ type: "error", error: { type: "authentication_error", message: "x-api-key header is required" } });
    const wrong = await messages(sim, "hi", {}, { ...HEADERS, "x-api-key": "nope" });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as Json).error).toEqual({ type: "authentication_error", message: "invalid x-api-key" });
    // A Bearer header is not how Anthropic authenticates.
    expect((await messages(sim, "hi", {}, { "anthropic-version": "2023-06-01", authorization: "Bearer sk-ant-sim" })).status).toBe(401);
    const version = await messages(sim, "hi", {}, { "x-api-key": "sk-ant-sim" });
    expect(version.status).toBe(400);
    expect(((await version.json()) as Json).error).toEqual({ type: "invalid_request_error", message: "anthropic-version: header is required" });
    expect((await messages(sim, "hi")).status).toBe(200);
    expect(sim.stats()).toMatchObject({ unauthorized: 3, requests: 5, completed: 1 });
  });

  it("maps error faults to Anthropic statuses and types", async () => {
    const sim = await start({ retryAfterSeconds: 4 });
    const expectError = async (fault: string, status: number, type: string): Promise<Response> => {
      const res = await messages(sim, `go [sim:fault=${fault}]`);
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ type: "error", error: { type, message: expect.any(String) } });
      return res;
    };
    await expectError("500", 500, "api_error");
    await expectError("503", 529, "overloaded_error");
    expect((await expectError("429", 429, "rate_limit_error")).headers.get("retry-after")).toBe("4");
    await expectError("midstream", 529, "overloaded_error");
    const html = await messages(sim, "[sim:fault=html]");
    expect(html.status).toBe(500);
    expect(html.headers.get("content-type")).toBe("text/html");
    await html.text();
    const redirect = await fetch(`${sim.url}/v1/messages`, { method: "POST", headers: HEADERS, body: JSON.stringify({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "[sim:fault=redirect]" }] }), redirect: "manual" });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get("location")).toBe("/v1/messages");
    await expect(messages(sim, "[sim:fault=reset]")).rejects.toThrow();
    const malformed = await messages(sim, "[sim:fault=malformed]");
    await expect(malformed.json()).rejects.toThrow();
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ faults: 8, completed: 0 });
  });

  it("cuts a stream without message_stop, fails midstream with an error event, breaks JSON when malformed", async () => {
    const sim = await start({ outputTokens: 20 });
    const cut = await readToBreak(await messages(sim, "[sim:fault=cut]", { stream: true }));
    expect(cut.failed).toBe(true);
    const cutEvents = anthropicEvents(cut.text).map((e) => e.event);
    expect(cutEvents.slice(0, 3)).toEqual(["message_start", "content_block_start", "ping"]);
    expect(cutEvents).toContain("content_block_delta");
    expect(cutEvents).not.toContain("message_stop");

    const mid = await messages(sim, "[sim:fault=midstream]", { stream: true });
    expect(mid.status).toBe(200);
    const events = anthropicEvents(await mid.text());
    expect(events.at(-1)).toEqual({ event: "error", data: { type: "error", error: { type: "overloaded_error", message: expect.any(String) } } });
    expect(events.map((e) => e.event)).not.toContain("message_stop");

    const malformed = anthropicEvents(await (await messages(sim, "[sim:fault=malformed]", { stream: true })).text());
    expect(malformed.some((e) => typeof e.data === "string")).toBe(true);
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ faults: 3, completed: 0, aborted: 0 });
  });

  it("429s over the cap and the RPM window in Anthropic's shape, with rate-limit headers", async () => {
    const sim = await start({ rpm: 2, retryAfterSeconds: 3 });
    const first = await messages(sim, "hi");
    expect(first.headers.get("anthropic-ratelimit-requests-limit")).toBe("2");
    expect(first.headers.get("anthropic-ratelimit-requests-remaining")).toBe("1");
    expect(Date.parse(first.headers.get("anthropic-ratelimit-requests-reset")!)).toBeGreaterThan(Date.now());
    expect(first.headers.has("x-ratelimit-remaining-requests")).toBe(false);
    expect((await messages(sim, "hi")).headers.get("anthropic-ratelimit-requests-remaining")).toBe("0");
    const limited = await messages(sim, "hi");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect(((await limited.json()) as Json)).toEqual({ type: "error", error: { type: "rate_limit_error", message: expect.any(String) } });
    expect(sim.stats().rejected429).toBe(1);
  });

  it("counts tokens with the same estimate as usage", async () => {
    const sim = await start();
    const body = { model: "claude-sim", system: "be brief", messages: [{ role: "user", content: "count these words please" }] };
    const counted = await post(sim, "/v1/messages/count_tokens", body, HEADERS);
    expect(counted.status).toBe(200);
    const { input_tokens } = (await counted.json()) as Json;
    expect(input_tokens).toBe(Math.ceil(("be brief".length + "count these words please".length) / 4));
    const message = (await (await post(sim, "/v1/messages", { ...body, max_tokens: 5 }, HEADERS)).json()) as Json;
    expect(message.usage.input_tokens).toBe(input_tokens);
    expect((await post(sim, "/v1/messages/count_tokens", { model: "m" }, HEADERS)).status).toBe(400);
  });

  it("answers unknown paths under /v1/messages with not_found_error", async () => {
    const sim = await start();
    const res = await post(sim, "/v1/messages/batches/nope", {}, HEADERS);
    expect(res.status).toBe(404);
    expect(((await res.json()) as Json).error.type).toBe("not_found_error");
  });
});
