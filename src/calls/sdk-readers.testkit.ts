/**
 * For tests: an SSE body read back by the official SDKs' own stream parsers, as an OpenAI or an
 * Anthropic client would read it.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";

const sseResponse = (bytes: Uint8Array) => async () => new Response(bytes.slice(), { headers: { "content-type": "text/event-stream" } });

export async function readWithOpenAI(bytes: Uint8Array) {
  const client = new OpenAI({ apiKey: "k", baseURL: "http://gateway.test/v1", fetch: sseResponse(bytes) });
  const final = await client.chat.completions.stream({ model: "public-model", messages: [{ role: "user", content: "hi" }], stream_options: { include_usage: true } }).finalChatCompletion();
  const message = final.choices[0]!.message;
  return { text: message.content ?? "", tools: (message.tool_calls ?? []).map((c) => (c.type === "function" ? [c.function.name, JSON.parse(c.function.arguments)] : [])), finish: final.choices[0]!.finish_reason, usage: final.usage };
}

export async function readWithAnthropic(bytes: Uint8Array) {
  const client = new Anthropic({ apiKey: "k", baseURL: "http://gateway.test", fetch: sseResponse(bytes) });
  const final = await client.messages.stream({ model: "public-model", max_tokens: 100, messages: [{ role: "user", content: "hi" }] }).finalMessage();
  return {
    text: final.content.filter((b) => b.type === "text").map((b) => (b.type === "text" ? b.text : "")).join(""),
    tools: final.content.filter((b) => b.type === "tool_use").map((b) => (b.type === "tool_use" ? [b.name, b.input] : [])),
    stop: final.stop_reason,
    usage: final.usage,
  };
}

