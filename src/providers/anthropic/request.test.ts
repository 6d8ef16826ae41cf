import { describe, expect, it } from "vitest";
import { gatewayErrorOf } from "../../core/gateway-error.testkit.ts";
import { chatCompletionRequest } from "../../wire/openai/schema.ts";
import { openaiToCanonical } from "../../wire/openai/to-canonical.ts";
import { chatResponseOf } from "./response.ts";
import { anthropicRequestOf, DEFAULT_MAX_TOKENS } from "./request.ts";

const TARGET = "a provider of type 'anthropic'";
/** An OpenAI caller's body, as the Anthropic upstream gets it. */
const toAnthropic = (body: Record<string, unknown>, maxTokens = DEFAULT_MAX_TOKENS) => anthropicRequestOf(openaiToCanonical(chatCompletionRequest.parse({ model: "claude", ...body }), TARGET), "claude-sonnet-4-5", maxTokens, TARGET);


describe("an OpenAI request for an Anthropic provider", () => {
  it("carries system prompts, a multi-turn tool conversation with parallel calls, images, stop and sampling", () => {
    const body = toAnthropic({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: "Use metric units." },
        { role: "user", content: [{ type: "text", text: "Weather and time?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }, { type: "image_url", image_url: { url: "https://example.com/a.jpg" } }] },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "weather", arguments: '{"city":"Beijing"}' } }, { id: "c2", type: "function", function: { name: "time", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "c1", content: "21°C" },
        { role: "tool", tool_call_id: "c2", content: "10:00" },
        { role: "system", content: "Now answer in Chinese." },
      ],
      tools: [{ type: "function", function: { name: "weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }],
      tool_choice: "required",
      parallel_tool_calls: false,
      stop: ["END"],
      temperature: 0.3,
      top_p: 0.9,
      max_completion_tokens: 500,
      user: "u-42",
      stream: true,
    });
    expect(body).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 500,
      system: "Be brief.\n\nUse metric units.",
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather and time?" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } }, { type: "image", source: { type: "url", url: "https://example.com/a.jpg" } }] },
        { role: "assistant", content: [{ type: "tool_use", id: "c1", name: "weather", input: { city: "Beijing" } }, { type: "tool_use", id: "c2", name: "time", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "c1", content: [{ type: "text", text: "21°C" }] }, { type: "tool_result", tool_use_id: "c2", content: [{ type: "text", text: "10:00" }] }] },
        { role: "system", content: "Now answer in Chinese." },
      ],
      tools: [{ name: "weather", description: "Weather for a city", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      stop_sequences: ["END"],
      temperature: 0.3,
      top_p: 0.9,
      metadata: { user_id: "u-42" },
      stream: true,
    });
  });

  it("sends the model's output cap (or 4096) when the call asks for none, and JSON mode as output_config", () => {
    expect(toAnthropic({ messages: [{ role: "user", content: "x" }] }, 8192).max_tokens).toBe(8192);
    expect(toAnthropic({ messages: [{ role: "user", content: "x" }] }).max_tokens).toBe(4096);
    expect(toAnthropic({ messages: [{ role: "user", content: "x" }], response_format: { type: "json_object" } }).output_config).toEqual({ format: { type: "json_schema", schema: { type: "object" } } });
    const schema = { type: "object", properties: { a: { type: "number" } } };
    expect(toAnthropic({ messages: [{ role: "user", content: "x" }], response_format: { type: "json_schema", json_schema: { name: "r", schema } } }).output_config).toEqual({ format: { type: "json_schema", schema } });
  });

  it("refuses, naming the field, what Anthropic cannot take", () => {
    const user = [{ role: "user", content: "x" }];
    expect(gatewayErrorOf(() => toAnthropic({ messages: user, logit_bias: { "50256": -100 } }))).toMatchObject({ status: 400, param: "logit_bias", code: "untranslatable_parameter" });
    expect(gatewayErrorOf(() => toAnthropic({ messages: user, temperature: 1.5 })).param).toBe("temperature");
    expect(gatewayErrorOf(() => toAnthropic({ messages: user, n: 2 })).param).toBe("n");
    expect(gatewayErrorOf(() => toAnthropic({ messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "x", format: "wav" } }] }] })).param).toBe("messages.0.content.0");
    expect(gatewayErrorOf(() => toAnthropic({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/a.png", detail: "high" } }] }] })).param).toBe("messages.0.content.0.image_url.detail");
    expect(gatewayErrorOf(() => toAnthropic({ messages: user, max_tokens: 10, max_completion_tokens: 20 })).param).toBe("max_tokens");
    expect(gatewayErrorOf(() => toAnthropic({ messages: user, stream: true, stream_options: { include_usage: true, include_obfuscation: false } })).param).toBe("stream_options.include_obfuscation");
    const schema = { type: "object", properties: {} };
    expect(gatewayErrorOf(() => toAnthropic({ messages: user, response_format: { type: "json_schema", json_schema: { name: "r", description: "the answer", schema } } })).param).toBe("response_format.json_schema.description");
    // OpenAI's defaults change nothing and pass.
    expect(toAnthropic({ messages: user, n: 1, presence_penalty: 0 }).model).toBe("claude-sonnet-4-5");
  });
});

describe("an Anthropic answer", () => {
  it("reads text, tool calls, the stop reason and cache-aware usage", () => {
    const answer = chatResponseOf(
      {
        id: "msg_1",
        model: "claude-sonnet-4-5",
        content: [{ type: "text", text: "Checking." }, { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "北京" } }],
        stop_reason: "tool_use",
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
      },
      "claude",
    );
    expect(answer).toMatchObject({ text: "Checking.", toolCalls: [{ id: "toolu_1", name: "weather", arguments: '{"city":"北京"}' }], finishReason: "tool_calls", usage: { inputTokens: 130, outputTokens: 5, cachedInputTokens: 100, cacheWriteTokens: 20 } });
    expect(chatResponseOf({ content: [], stop_reason: "max_tokens" }, "c").finishReason).toBe("length");
    expect(chatResponseOf({ content: [], stop_reason: "stop_sequence", stop_sequence: "END" }, "c")).toMatchObject({ finishReason: "stop", stopSequence: "END" });
  });
});
