/** What every upstream dialect's stream parser gives: canonical events, the stream's state, usage; and the usage and error readers they share. */
import type { StreamEvent, TokenUsage } from "../core/canonical.ts";
import { GatewayError } from "../core/errors.ts";
import type { SseEvent } from "../core/sse.ts";
import { scrub } from "./upstream-error.ts";

export interface StreamParser {
  /** The canonical events one upstream event holds; throws a GatewayError for a failure the stream reports. */
  parse(event: SseEvent): StreamEvent[];
  /** "done": the end marker came; "complete": the answer is whole and the stream may end now. */
  readonly state: "open" | "done" | "complete";
  readonly usage: TokenUsage | undefined;
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** OpenAI `usage` (prompt tokens include cached ones). */
export function usageFromOpenAI(u: Record<string, unknown>): TokenUsage {
  const details = (u.prompt_tokens_details ?? undefined) as Record<string, unknown> | undefined;
  return { inputTokens: num(u.prompt_tokens) ?? 0, outputTokens: num(u.completion_tokens) ?? 0, cachedInputTokens: num(details?.cached_tokens) };
}

/** Anthropic `usage` (input tokens exclude those read from or written to the cache). */
export function usageFromAnthropic(u: Record<string, unknown>): TokenUsage {
  const read = num(u.cache_read_input_tokens) ?? 0;
  const written = num(u.cache_creation_input_tokens) ?? 0;
  return { inputTokens: (num(u.input_tokens) ?? 0) + read + written, outputTokens: num(u.output_tokens) ?? 0, cachedInputTokens: read || undefined, cacheWriteTokens: written || undefined };
}

/** An error a stream reports mid-way (OpenAI's `{error}`, Anthropic's `error` event), as the gateway's error. */
export function errorFromStreamEvent(error: unknown): GatewayError {
  const e = (error ?? {}) as { message?: unknown; type?: unknown };
  const message = `upstream error mid-stream: ${scrub(typeof e.message === "string" ? e.message : "unknown error")}`;
  if (e.type === "overloaded_error") return new GatewayError("upstream_unavailable", message, { code: "upstream_unavailable", retryAfter: 1 });
  if (e.type === "rate_limit_error") return new GatewayError("rate_limited", message, { code: "upstream_rate_limited", retryAfter: 1 });
  return new GatewayError("upstream_error", message, { code: "upstream_error" });
}
