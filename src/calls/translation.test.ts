/**
 * Streams translated between dialects, from recorded upstream streams (tool calls, CJK, emoji,
 * usage, cache reads), checked at every chunk split and read back by the official SDKs' own
 * stream parsers: what an OpenAI or Anthropic client would actually get.
 */
import { describe, expect, it } from "vitest";
import { parseSse } from "../core/sse.ts";
import { GatewayError } from "../core/errors.ts";
import anthropicStream from "../providers/anthropic/__fixtures__/messages-tools.chunks.txt?raw";
import { AnthropicStreamParser } from "../providers/anthropic/response.ts";
import geminiStream from "../providers/gemini/__fixtures__/stream-tools.chunks.txt?raw";
import { GeminiStreamParser } from "../providers/gemini/response.ts";
import openaiStream from "../providers/openai/__fixtures__/chat-tools.chunks.txt?raw";
import { OpenAIStreamParser } from "../providers/openai/response.ts";
import type { StreamParser } from "../providers/stream-parser.ts";
import { anthropicErrorEvent } from "../wire/anthropic/error-body.ts";
import { AnthropicStreamEncoder } from "../wire/anthropic/from-canonical.ts";
import { OpenAIStreamEncoder } from "../wire/openai/from-canonical.ts";
import { openaiFailureEvent, Translation } from "./relay-handlers.ts";
import { readWithAnthropic, readWithOpenAI } from "./sdk-readers.testkit.ts";
import { relaySse, type RelaySummary } from "./sse-relay.ts";

type Caller = "openai" | "anthropic";

const UPSTREAMS = {
  openai: { text: openaiStream, parser: () => new OpenAIStreamParser() },
  anthropic: { text: anthropicStream, parser: () => new AnthropicStreamParser() },
  gemini: { text: geminiStream, parser: () => new GeminiStreamParser() },
} satisfies Record<string, { text: string; parser: () => StreamParser }>;

/** What each recorded stream says, as any caller should see it. */
const EXPECTED = {
  openai: { text: "你好，这是一个测试 🚀。Größe: 10 €", tools: [["get_weather", { city: "北京" }], ["get_time", { tz: "Asia/Shanghai" }]], input: 42, output: 31, cached: 0 },
  anthropic: { text: "我来查一下北京的天气 🌤️。", tools: [["get_weather", { city: "北京", unit: "c" }]], input: 1436, output: 57, cached: 1024 },
  gemini: { text: "好的，我查一下北京 🌤️", tools: [["get_weather", { city: "北京", unit: "c" }]], input: 88, output: 21, cached: 64 },
};

async function translate(upstream: keyof typeof UPSTREAMS, caller: Caller, chunks: Uint8Array[]) {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
  const encoder = caller === "openai" ? new OpenAIStreamEncoder("public-model", true) : new AnthropicStreamEncoder("public-model");
  const failure = (e: GatewayError) => (caller === "openai" ? openaiFailureEvent(e) : anthropicErrorEvent(e));
  let summary: RelaySummary | undefined;
  const out = relaySse(body, new Translation(UPSTREAMS[upstream].parser(), encoder, failure), { startedAt: Date.now(), idleTimeoutMs: 5_000, onEnd: (s) => (summary = s) });
  const bytes = new Uint8Array(await new Response(out).arrayBuffer());
  return { bytes, summary: summary! };
}

/** The caller's events, with the encoders' clock readings and the random part of made-up call ids taken out. */
function events(bytes: Uint8Array): unknown[] {
  const steady = (k: string, v: unknown) => (k === "created" ? 0 : k === "id" && typeof v === "string" ? v.replace(/^call_[0-9a-f]{12}/, "call_*") : v);
  return parseSse(bytes).map((e) => (e.data === "[DONE]" ? e.data : JSON.parse(e.data, steady)));
}

const PAIRS: [keyof typeof UPSTREAMS, Caller][] = [
  ["anthropic", "openai"],
  ["gemini", "openai"],
  ["openai", "anthropic"],
  ["gemini", "anthropic"],
];

describe.each(PAIRS)("a %s stream for an %s caller", (upstream, caller) => {
  const recorded = new TextEncoder().encode(UPSTREAMS[upstream].text);
  const expected = EXPECTED[upstream];

  it("reads back, through the official SDK, as the same text, tool calls, stop reason and usage", async () => {
    const { bytes, summary } = await translate(upstream, caller, [recorded]);
    expect(summary.status).toBe(200);
    expect(summary.usage).toMatchObject({ inputTokens: expected.input, outputTokens: expected.output });
    if (caller === "openai") {
      const got = await readWithOpenAI(bytes);
      expect(got).toMatchObject({ text: expected.text, tools: expected.tools, finish: "tool_calls" });
      expect(got.usage).toMatchObject({ prompt_tokens: expected.input, completion_tokens: expected.output, prompt_tokens_details: { cached_tokens: expected.cached } });
    } else {
      const got = await readWithAnthropic(bytes);
      expect(got).toMatchObject({ text: expected.text, tools: expected.tools, stop: "tool_use" });
      expect(got.usage).toMatchObject({ input_tokens: expected.input - expected.cached, output_tokens: expected.output, cache_read_input_tokens: expected.cached });
    }
  });

  it("gives the same events at every split point of the upstream's bytes", async () => {
    const whole = events((await translate(upstream, caller, [recorded])).bytes);
    for (let i = 1; i < recorded.length; i++) {
      const split = events((await translate(upstream, caller, [recorded.slice(0, i), recorded.slice(i)])).bytes);
      expect(split, `split at byte ${i}`).toEqual(whole);
    }
  });
});

describe("a translated stream that breaks", () => {
  it("ends with the caller's own error event: OpenAI `{error}`, Anthropic `event: error`", async () => {
    const cut = new TextEncoder().encode(anthropicStream.slice(0, anthropicStream.indexOf("event: message_delta")));
    const forOpenAI = events((await translate("anthropic", "openai", [cut])).bytes);
    expect(forOpenAI.at(-1)).toMatchObject({ error: { code: "upstream_stream_cut" } });
    const gemini = new TextEncoder().encode(geminiStream.slice(0, geminiStream.indexOf("functionCall") - 60));
    const { bytes, summary } = await translate("gemini", "anthropic", [gemini]);
    expect(summary.status).toBe(502);
    expect(parseSse(bytes).at(-1)).toMatchObject({ event: "error" });
    expect(JSON.parse(parseSse(bytes).at(-1)!.data)).toMatchObject({ type: "error", error: { type: "api_error" } });
  });
});
