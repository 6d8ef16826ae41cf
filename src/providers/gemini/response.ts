/** A Gemini answer (and its stream) as canonical answers. Gemini streams have no end marker: an answer is whole once a chunk carries its finish reason. */
import type { ChatResponse, FinishReason, StreamEvent, TokenUsage, ToolCall } from "../../core/canonical.ts";
import { GatewayError } from "../../core/errors.ts";
import type { SseEvent } from "../../core/sse.ts";
import { scrub } from "../upstream-error.ts";
import type { StreamParser } from "../stream-parser.ts";
import { callIdOf } from "./call-id.ts";

type Json = Record<string, unknown>;

const FILTERED = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE"]);

export function finishReasonOf(reason: unknown, calledTools: boolean): FinishReason {
  if (reason === "MAX_TOKENS") return "length";
  if (typeof reason === "string" && FILTERED.has(reason)) return "content_filter";
  return calledTools ? "tool_calls" : "stop";
}

export function usageOf(u: Json | undefined): TokenUsage | undefined {
  if (!u) return undefined;
  const n = (v: unknown) => (typeof v === "number" ? v : 0);
  // Thinking tokens are billed as output.
  return { inputTokens: n(u.promptTokenCount), outputTokens: n(u.candidatesTokenCount) + n(u.thoughtsTokenCount), cachedInputTokens: typeof u.cachedContentTokenCount === "number" ? u.cachedContentTokenCount : undefined };
}

function partsOf(body: Json): Json[] {
  const candidate = (body.candidates as Json[] | undefined)?.[0];
  return (((candidate?.content as Json | undefined)?.parts as Json[] | undefined) ?? []);
}

export function chatResponseOf(json: unknown, provider: string): ChatResponse {
  const body = json as Json;
  const candidate = (body?.candidates as Json[] | undefined)?.[0];
  const blocked = (body?.promptFeedback as Json | undefined)?.blockReason;
  if (!candidate && !blocked) throw new GatewayError("upstream_error", `provider '${provider}' sent a malformed response`, { code: "upstream_malformed" });
  const parts = partsOf(body);
  const toolCalls: ToolCall[] = parts.filter((p) => p.functionCall).map((p) => {
    const call = p.functionCall as Json;
    return { id: callIdOf(call.id, p.thoughtSignature), name: String(call.name), arguments: JSON.stringify(call.args ?? {}) };
  });
  return {
    id: String(body.responseId ?? "gemini"),
    model: String(body.modelVersion ?? ""),
    created: Math.floor(Date.now() / 1000),
    text: parts.filter((p) => typeof p.text === "string" && !p.thought).map((p) => p.text as string).join(""),
    toolCalls,
    finishReason: blocked ? "content_filter" : finishReasonOf(candidate?.finishReason, toolCalls.length > 0),
    usage: usageOf(body.usageMetadata as Json | undefined),
  };
}

export class GeminiStreamParser implements StreamParser {
  state: "open" | "done" | "complete" = "open";
  usage: TokenUsage | undefined;
  #started = false;
  #calls = 0;

  parse(event: SseEvent): StreamEvent[] {
    const body = JSON.parse(event.data) as Json;
    if (body.error) throw new GatewayError("upstream_error", `upstream error mid-stream: ${scrub(String((body.error as Json).message ?? "unknown error"))}`, { code: "upstream_error" });
    const out: StreamEvent[] = [];
    if (!this.#started) {
      this.#started = true;
      out.push({ type: "start", id: String(body.responseId ?? "gemini"), model: String(body.modelVersion ?? ""), created: Math.floor(Date.now() / 1000) });
    }
    for (const part of partsOf(body)) {
      if (typeof part.text === "string" && part.text && !part.thought) out.push({ type: "text", text: part.text });
      if (part.functionCall) {
        const call = part.functionCall as Json;
        const index = this.#calls++;
        out.push({ type: "tool_call_start", index, id: callIdOf(call.id, part.thoughtSignature), name: String(call.name) });
        out.push({ type: "tool_call_delta", index, arguments: JSON.stringify(call.args ?? {}) });
      }
    }
    const usage = usageOf(body.usageMetadata as Json | undefined);
    if (usage) this.usage = usage;
    const candidate = (body.candidates as Json[] | undefined)?.[0];
    const blocked = (body.promptFeedback as Json | undefined)?.blockReason;
    if (candidate?.finishReason || blocked) {
      out.push({ type: "finish", reason: blocked ? "content_filter" : finishReasonOf(candidate?.finishReason, this.#calls > 0) });
      if (this.usage) out.push({ type: "usage", usage: this.usage });
      this.state = "complete";
    }
    return out;
  }
}
