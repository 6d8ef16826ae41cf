import { describe, expect, it } from "vitest";
import { gatewayErrorOf } from "../../core/gateway-error.testkit.ts";
import { chatCompletionRequest } from "../../wire/openai/schema.ts";
import { openaiToCanonical } from "../../wire/openai/to-canonical.ts";
import { geminiRequestOf } from "./request.ts";
import { chatResponseOf } from "./response.ts";

const TARGET = "a provider of type 'gemini'";
const toGemini = (body: Record<string, unknown>) => geminiRequestOf(openaiToCanonical(chatCompletionRequest.parse({ model: "g", ...body }), TARGET), TARGET);


describe("an OpenAI request for a Gemini provider", () => {
  it("carries the system instruction, tool calls and their named results, inline images, JSON mode and generation settings", () => {
    const body = toGemini({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "lookup", arguments: '{"q":"cat"}' } }] },
        { role: "tool", tool_call_id: "c1", content: "a cat" },
      ],
      tools: [{ type: "function", function: { name: "lookup", parameters: { $schema: "http://json-schema.org/draft-07/schema#", type: "object", additionalProperties: false, properties: { q: { type: "string", title: "Query" } }, required: ["q"] } } }],
      tool_choice: { type: "function", function: { name: "lookup" } },
      response_format: { type: "json_schema", json_schema: { name: "r", schema: { type: "object", additionalProperties: false, properties: { a: { type: "string" } } } } },
      max_tokens: 256,
      temperature: 0.2,
      stop: "END",
      seed: 7,
    });
    expect(body).toEqual({
      systemInstruction: { parts: [{ text: "Be brief." }] },
      contents: [
        { role: "user", parts: [{ text: "What is this?" }, { inlineData: { mimeType: "image/png", data: "AAAA" } }] },
        { role: "model", parts: [{ functionCall: { name: "lookup", args: { q: "cat" } } }] },
        { role: "user", parts: [{ functionResponse: { name: "lookup", response: { content: "a cat" } } }] },
      ],
      tools: [{ functionDeclarations: [{ name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] } }] }],
      toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["lookup"] } },
      generationConfig: { seed: 7, maxOutputTokens: 256, temperature: 0.2, stopSequences: ["END"], responseMimeType: "application/json", responseSchema: { type: "object", properties: { a: { type: "string" } } } },
    });
  });

  it("refuses, naming the field, what Gemini cannot take", () => {
    const user = [{ role: "user", content: "x" }];
    expect(gatewayErrorOf(() => toGemini({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/a.png" } }] }] })).param).toBe("messages.0.content.0");
    expect(gatewayErrorOf(() => toGemini({ messages: [...user, { role: "assistant", content: "ok" }, { role: "system", content: "late" }] })).param).toBe("messages.2");
    expect(gatewayErrorOf(() => toGemini({ messages: user, user: "u" })).param).toBe("user");
    expect(gatewayErrorOf(() => toGemini({ messages: user, logprobs: true })).param).toBe("logprobs");
    expect(gatewayErrorOf(() => toGemini({ messages: user, tools: [{ type: "function", function: { name: "f", parameters: { $ref: "#/defs/x" } } }] })).param).toBe("tools.0.$ref");
  });
});

describe("a Gemini answer", () => {
  it("reads text, function calls as tool calls, filtered answers and usage", () => {
    const answer = chatResponseOf({ candidates: [{ content: { parts: [{ text: "Looking." }, { functionCall: { name: "lookup", args: { q: "cat" } } }], role: "model" }, finishReason: "STOP" }], usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 4, thoughtsTokenCount: 2, cachedContentTokenCount: 3 }, modelVersion: "gemini-2.5-flash", responseId: "r1" }, "g");
    expect(answer).toMatchObject({ text: "Looking.", toolCalls: [{ name: "lookup", arguments: '{"q":"cat"}' }], finishReason: "tool_calls", usage: { inputTokens: 10, outputTokens: 6, cachedInputTokens: 3 } });
    expect(chatResponseOf({ candidates: [{ content: { parts: [] }, finishReason: "SAFETY" }] }, "g").finishReason).toBe("content_filter");
    expect(chatResponseOf({ promptFeedback: { blockReason: "SAFETY" } }, "g")).toMatchObject({ text: "", finishReason: "content_filter" });
    expect(chatResponseOf({ candidates: [{ content: { parts: [{ text: "…" }] }, finishReason: "MAX_TOKENS" }] }, "g").finishReason).toBe("length");
  });
});

describe("Gemini's thought signatures", () => {
  it("ride in the call id the caller sees and go back with the call on the next turn", () => {
    const answer = chatResponseOf({ candidates: [{ content: { parts: [{ functionCall: { name: "lookup", args: { q: 1 } }, thoughtSignature: "c2lnbmF0dXJlKy8=" }] }, finishReason: "STOP" }] }, "gem");
    const id = answer.toolCalls[0]!.id;
    expect(id).toMatch(/^call_[0-9a-f]{12}__sig_[A-Za-z0-9_-]+$/);
    const body = toGemini({
      messages: [
        { role: "user", content: "look it up" },
        { role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name: "lookup", arguments: '{"q":1}' } }] },
        { role: "tool", tool_call_id: id, content: "found" },
      ],
    });
    expect((body.contents as { parts: unknown[] }[])[1]!.parts[0]).toEqual({ functionCall: { name: "lookup", args: { q: 1 } }, thoughtSignature: "c2lnbmF0dXJlKy8=" });
  });

  it("makes call ids unique across answers", () => {
    const ids = new Set(Array.from({ length: 20 }, () => chatResponseOf({ candidates: [{ content: { parts: [{ functionCall: { name: "f", args: {} } }] } }] }, "gem").toolCalls[0]!.id));
    expect(ids.size).toBe(20);
  });
});

