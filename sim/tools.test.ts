// Tests of tool calls: schema-based arguments and the choice rules, then OpenAI chat tool_calls over HTTP.
import { describe, expect, it } from "vitest";
import { parseDirectives } from "./directives.ts";
import type { Json } from "./testkit.ts";
import { post, simulators, sseData, waitFor } from "./testkit.ts";
import { chooseToolCalls, sampleArgs, splitPieces } from "./tools.ts";

const start = simulators();

const WEATHER = {
  type: "object",
  properties: {
    city: { type: "string" },
    unit: { type: "string", enum: ["celsius", "fahrenheit"] },
    days: { type: "integer" },
    ratio: { type: "number" },
    alerts: { type: "boolean" },
    tags: { type: "array", items: { type: "string" } },
    extra: { type: "object" },
  },
  required: ["city", "unit", "days", "ratio", "alerts", "tags", "extra"],
};

const fn = (name: string, parameters?: object): Json => ({ type: "function", function: { name, ...(parameters ? { parameters } : {}) } });
const TOOLS = [fn("get_weather", WEATHER), fn("lookup", { type: "object", properties: { q: { type: "string" }, n: { type: "integer" } }, required: ["q"] })];

describe("tool arguments and choice", () => {
  it("samples every JSON-schema type deterministically, only required properties", () => {
    expect(sampleArgs(WEATHER)).toEqual({ city: "sample", unit: "celsius", days: 1, ratio: 1, alerts: true, tags: [], extra: {} });
    expect(sampleArgs({ type: "object", properties: { a: { type: "string" }, b: { type: "number" } }, required: ["b"] })).toEqual({ b: 1 });
    expect(sampleArgs({ type: "object", properties: { a: { type: "string" }, b: { type: "boolean" } } })).toEqual({ a: "sample", b: true });
    expect(sampleArgs({ type: "OBJECT", properties: { n: { type: "INTEGER" }, s: { type: ["string", "null"] } } })).toEqual({ n: 1, s: "sample" });
    expect(sampleArgs(undefined)).toEqual({});
  });

  it("applies the precedence none > named > directives > any", () => {
    const tools = [{ name: "a", schema: undefined }, { name: "b", schema: undefined }];
    const base = { tools, directed: undefined, resultsPending: false, parallel: true };
    expect(chooseToolCalls({ ...base, mode: { kind: "auto" } })).toEqual([]);
    expect(chooseToolCalls({ ...base, mode: { kind: "any" } }).map((c) => c.name)).toEqual(["a"]);
    expect(chooseToolCalls({ ...base, mode: { kind: "auto" }, directed: ["b", "a"] }).map((c) => c.name)).toEqual(["b", "a"]);
    expect(chooseToolCalls({ ...base, mode: { kind: "named", name: "b" }, directed: ["a"] }).map((c) => c.name)).toEqual(["b"]);
    expect(chooseToolCalls({ ...base, mode: { kind: "none" }, directed: ["a"] })).toEqual([]);
    expect(chooseToolCalls({ ...base, mode: { kind: "auto" }, directed: ["b", "a"], parallel: false }).map((c) => c.name)).toEqual(["b"]);
    expect(chooseToolCalls({ ...base, mode: { kind: "any" }, resultsPending: true })).toEqual([]);
    expect(() => chooseToolCalls({ ...base, mode: { kind: "none" }, directed: ["zzz"] })).toThrow(/zzz/);
  });

  it("splits arguments into pieces that join back", () => {
    for (const text of ["{}", '{"a":1}', JSON.stringify(sampleArgs(WEATHER))]) {
      const pieces = splitPieces(text);
      expect(pieces.length).toBeGreaterThanOrEqual(2);
      expect(pieces.length).toBeLessThanOrEqual(3);
      expect(pieces.join("")).toBe(text);
    }
  });

  it("parses repeatable, case-keeping tool directives", () => {
    expect(parseDirectives("x [sim:tool=getWeather][sim:tool=b] [sim:tokens=2]")).toEqual({ tools: ["getWeather", "b"], tokens: 2 });
    expect(() => parseDirectives("[sim:tool= ]")).toThrow(/tool name/);
  });
});

function chat(sim: Awaited<ReturnType<typeof start>>, content: string, extra: Json = {}): Promise<Response> {
  return post(sim, "/v1/chat/completions", { model: "sim-small", messages: [{ role: "user", content }], tools: TOOLS, ...extra });
}

describe("OpenAI chat tool calls", () => {
  it("answers a directive with tool_calls, content null and finish_reason tool_calls", async () => {
    const sim = await start();
    const res = await chat(sim, "weather? [sim:tool=get_weather]");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    const choice = body.choices[0];
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message).toMatchObject({ role: "assistant", content: null });
    expect(choice.message.tool_calls).toEqual([
      { id: expect.stringMatching(/^call_sim_\d+_0$/), type: "function", function: { name: "get_weather", arguments: expect.any(String) } },
    ]);
    expect(JSON.parse(choice.message.tool_calls[0].function.arguments)).toEqual(sampleArgs(WEATHER));
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
    expect(sim.stats()).toMatchObject({ completed: 1 });
  });

  it("makes parallel calls for repeated directives, one with parallel_tool_calls false", async () => {
    const sim = await start();
    const both = (await (await chat(sim, "[sim:tool=lookup][sim:tool=get_weather]")).json()) as Json;
    const calls = both.choices[0].message.tool_calls;
    expect(calls.map((c: Json) => c.function.name)).toEqual(["lookup", "get_weather"]);
    expect(calls.map((c: Json) => c.id)).toEqual([`call_sim_1_0`, `call_sim_1_1`]);
    expect(JSON.parse(calls[0].function.arguments)).toEqual({ q: "sample" });
    const one = (await (await chat(sim, "[sim:tool=lookup][sim:tool=get_weather]", { parallel_tool_calls: false })).json()) as Json;
    expect(one.choices[0].message.tool_calls).toHaveLength(1);
  });

  it("follows tool_choice required (first tool), a named function and none", async () => {
    const sim = await start();
    const required = (await (await chat(sim, "hi", { tool_choice: "required" })).json()) as Json;
    expect(required.choices[0].message.tool_calls[0].function.name).toBe("get_weather");
    const named = (await (await chat(sim, "hi", { tool_choice: { type: "function", function: { name: "lookup" } } })).json()) as Json;
    expect(named.choices[0].message.tool_calls.map((c: Json) => c.function.name)).toEqual(["lookup"]);
    const none = (await (await chat(sim, "hi [sim:tool=lookup]", { tool_choice: "none" })).json()) as Json;
    expect(none.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: expect.stringMatching(/^tok1/) } });
    const auto = (await (await chat(sim, "hi", { tool_choice: "auto" })).json()) as Json;
    expect(auto.choices[0].finish_reason).toBe("stop");
  });

  it("answers in text once tool results follow the user message", async () => {
    const sim = await start();
    const messages = [
      { role: "user", content: "weather? [sim:tool=get_weather]" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_sim_1_0", type: "function", function: { name: "get_weather", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "call_sim_1_0", content: "sunny" },
    ];
    const body = (await (await chat(sim, "", { messages, tool_choice: "required" })).json()) as Json;
    expect(body.choices[0]).toMatchObject({ finish_reason: "stop", message: { role: "assistant", content: "tok1 tok2 tok3 tok4 tok5 tok6 tok7 tok8" } });
  });

  it("rejects unknown directive tools and bad tool fields with 400", async () => {
    const sim = await start();
    const unknown = await chat(sim, "[sim:tool=nope]");
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as Json).error).toMatchObject({ type: "invalid_request_error", message: expect.stringContaining("nope") });
    const noTools = await post(sim, "/v1/chat/completions", { model: "m", messages: [{ role: "user", content: "[sim:tool=lookup]" }] });
    expect(noTools.status).toBe(400);
    expect((await chat(sim, "hi", { tools: [{ type: "function" }] })).status).toBe(400);
    expect((await chat(sim, "hi", { tools: "lookup" })).status).toBe(400);
    expect((await chat(sim, "hi", { tool_choice: { type: "function", function: { name: "other" } } })).status).toBe(400);
    expect((await chat(sim, "hi", { tool_choice: "sometimes" })).status).toBe(400);
    expect((await post(sim, "/v1/chat/completions", { model: "m", messages: [{ role: "user", content: "x" }], tool_choice: "required" })).status).toBe(400);
    await waitFor(() => sim.stats().inFlight === 0);
  });

  it("streams tool calls as OpenAI does", async () => {
    const sim = await start({ tokensPerSecond: 2000 });
    const res = await chat(sim, "[sim:tool=get_weather][sim:tool=lookup]", { stream: true, stream_options: { include_usage: true } });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const data = sseData(await res.text());
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Json);
    expect(chunks[0]!.choices[0].delta).toEqual({ role: "assistant", content: null });
    const deltas = chunks.slice(1, -2).map((c) => c.choices[0].delta.tool_calls[0] as Json);
    // Per call: a header with id/type/name and empty arguments, then 2-3 argument pieces.
    const args: string[] = ["", ""];
    for (const d of deltas) {
      if (d.id !== undefined) {
        expect(d).toEqual({ index: d.index, id: `call_sim_1_${d.index}`, type: "function", function: { name: d.index === 0 ? "get_weather" : "lookup", arguments: "" } });
      } else {
        expect(Object.keys(d).sort()).toEqual(["function", "index"]);
        args[d.index] += d.function.arguments;
      }
    }
    const pieces = (i: number) => deltas.filter((d) => d.index === i && d.id === undefined).length;
    expect([pieces(0), pieces(1)].every((n) => n >= 2 && n <= 3)).toBe(true);
    expect(JSON.parse(args[0]!)).toEqual(sampleArgs(WEATHER));
    expect(JSON.parse(args[1]!)).toEqual({ q: "sample" });
    expect(chunks.at(-2)!.choices[0]).toMatchObject({ delta: {}, finish_reason: "tool_calls" });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: expect.any(Number) } });
    await waitFor(() => sim.stats().completed === 1);
  });

  it("applies faults to tool-call answers", async () => {
    const sim = await start();
    expect((await chat(sim, "[sim:tool=lookup][sim:fault=500]")).status).toBe(500);
    const mid = await chat(sim, "[sim:tool=lookup][sim:fault=midstream]", { stream: true });
    const data = sseData(await mid.text());
    expect(data).not.toContain("[DONE]");
    expect(JSON.parse(data.at(-1)!)).toEqual({ error: expect.objectContaining({ type: "server_error" }) });
    await waitFor(() => sim.stats().inFlight === 0);
    expect(sim.stats()).toMatchObject({ faults: 2, completed: 0 });
  });
});
