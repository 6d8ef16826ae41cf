import { describe, expect, it } from "vitest";
import { gatewayErrorOf } from "../../core/gateway-error.testkit.ts";
import { messagesRequest } from "../../wire/anthropic/schema.ts";
import { anthropicToCanonical } from "../../wire/anthropic/to-canonical.ts";
import { presetOf, type ProviderType } from "../presets.ts";
import { openaiRequestOf } from "./request.ts";
import { OpenAIStreamParser } from "./response.ts";

/** An Anthropic caller's body, as an OpenAI-wire provider of `type` gets it. */
function toOpenAI(body: Record<string, unknown>, type: ProviderType = "openai") {
  const target = `a provider of type '${type}'`;
  return openaiRequestOf(anthropicToCanonical(messagesRequest.parse({ model: "m", max_tokens: 300, ...body }), target), "gpt-4o", presetOf(type), target);
}


describe("an Anthropic request for an OpenAI-wire provider", () => {
  it("splits a user turn of tool results into tool messages, in order, and keeps the rest of the turn", () => {
    const body = toOpenAI({
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: [{ type: "text", text: "Let me look." }, { type: "tool_use", id: "t1", name: "weather", input: { city: "Paris" } }, { type: "tool_use", id: "t2", name: "time", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "18°C" }, { type: "tool_result", tool_use_id: "t2", content: [{ type: "text", text: "timeout" }], is_error: true }, { type: "text", text: "Thanks" }, { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4A==" } }] },
      ],
      tools: [{ name: "weather", description: "d", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      stop_sequences: ["END"],
      temperature: 0.5,
      metadata: { user_id: "u1" },
      output_config: { format: { type: "json_schema", schema: { type: "object" } } },
    });
    expect(body).toEqual({
      model: "gpt-4o",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather?" },
        { role: "assistant", content: "Let me look.", tool_calls: [{ id: "t1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }, { id: "t2", type: "function", function: { name: "time", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "t1", content: "18°C" },
        { role: "tool", tool_call_id: "t2", content: "Error: timeout" },
        { role: "user", content: [{ type: "text", text: "Thanks" }, { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4A==" } }] },
      ],
      tools: [{ type: "function", function: { name: "weather", description: "d", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
      tool_choice: "required",
      parallel_tool_calls: false,
      max_completion_tokens: 300,
      temperature: 0.5,
      stop: ["END"],
      response_format: { type: "json_schema", json_schema: { name: "response", schema: { type: "object" } } },
      user: "u1",
    });
  });

  it("puts the output cap where each service wants it, and top_k only where it is understood", () => {
    expect(toOpenAI({ messages: [{ role: "user", content: "x" }] }, "deepseek")).toMatchObject({ max_tokens: 300 });
    expect(toOpenAI({ messages: [{ role: "user", content: "x" }], top_k: 40 }, "vllm")).toMatchObject({ top_k: 40 });
    expect(gatewayErrorOf(() => toOpenAI({ messages: [{ role: "user", content: "x" }], top_k: 40 }, "openai"))).toMatchObject({ param: "top_k", code: "untranslatable_parameter" });
  });

  it("refuses, naming the field, what an OpenAI-wire provider cannot take", () => {
    expect(gatewayErrorOf(() => toOpenAI({ messages: [{ role: "user", content: "x" }], thinking: { type: "enabled", budget_tokens: 1000 } })).param).toBe("thinking");
    expect(gatewayErrorOf(() => toOpenAI({ messages: [{ role: "user", content: [{ type: "document", source: { type: "text", media_type: "text/plain", data: "x" } }] }] })).param).toBe("messages.0.content.0");
    expect(gatewayErrorOf(() => toOpenAI({ messages: [{ role: "user", content: "x" }], tools: [{ type: "web_search_20250305", name: "web_search" }] })).param).toBe("tools.0");
    expect(gatewayErrorOf(() => toOpenAI({ messages: [{ role: "assistant", content: [{ type: "thinking", thinking: "hmm", signature: "s" }] }] })).param).toBe("messages.0.content.0");
    expect(gatewayErrorOf(() => toOpenAI({ messages: [{ role: "user", content: "x" }], metadata: { user_id: "u", team: "t" } })).param).toBe("metadata.team");
    const weather = [{ name: "weather", input_schema: { type: "object" } }];
    expect(gatewayErrorOf(() => toOpenAI({ messages: [{ role: "user", content: "x" }], tools: weather, tool_choice: { type: "auto", strict: true } })).param).toBe("tool_choice.strict");
    expect(gatewayErrorOf(() => toOpenAI({ messages: [{ role: "user", content: "x" }], output_config: { format: { type: "json_schema" } } })).param).toBe("output_config.format");
    expect(gatewayErrorOf(() => toOpenAI({ messages: [{ role: "user", content: "x" }], output_config: { effort: "high" } })).param).toBe("output_config.effort");
  });

  it("refuses a tool_choice of type 'tool' without the tool's name (as Anthropic would)", () => {
    const parsed = messagesRequest.safeParse({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }], tool_choice: { type: "tool" } });
    expect(parsed.success ? [] : parsed.error.issues.map((i) => i.path.join("."))).toEqual(["tool_choice.name"]);
  });
});

describe("an OpenAI stream", () => {
  const parse = (...chunks: unknown[]) => {
    const parser = new OpenAIStreamParser();
    return chunks.flatMap((c) => parser.parse({ data: JSON.stringify(c), event: undefined }));
  };

  it("tells parallel calls apart by id when a server sends no index", () => {
    const events = parse({ choices: [{ delta: { tool_calls: [{ id: "a", type: "function", function: { name: "f", arguments: '{"x":1}' } }, { id: "b", type: "function", function: { name: "g", arguments: '{"y":2}' } }] } }] });
    expect(events.filter((e) => e.type === "tool_call_start")).toEqual([
      { type: "tool_call_start", index: 0, id: "a", name: "f" },
      { type: "tool_call_start", index: 1, id: "b", name: "g" },
    ]);
    expect(events.filter((e) => e.type === "tool_call_delta").map((e) => e.type === "tool_call_delta" && [e.index, e.arguments])).toEqual([[0, '{"x":1}'], [1, '{"y":2}']]);
  });

  it("passes a refusal on as the answer's text, finished as filtered content", () => {
    const events = parse({ choices: [{ delta: { refusal: "I can't help with that." } }] }, { choices: [{ delta: {}, finish_reason: "stop" }] });
    expect(events).toContainEqual({ type: "text", text: "I can't help with that." });
    expect(events).toContainEqual({ type: "finish", reason: "content_filter" });
  });
});
