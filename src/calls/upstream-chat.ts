/** Chat completion attempts against a routed OpenAI-compatible provider: the whole answer, or a relayed stream. */
import { GatewayError } from "../core/errors.ts";
import { GATEWAY_ONLY_FIELDS, type ChatCompletionRequest, type Usage } from "../core/openai-schema.ts";
import { withTimeout } from "../core/timeout.ts";
import { relayChatStream, type StreamSummary } from "../providers/chat-stream.ts";
import { callUpstream, rateLimitHints } from "../providers/openai-client.ts";
import type { ModelRoute } from "../providers/registry.ts";
import type { Attempt, Summary } from "./call.ts";

export interface ChatCompletion {
  object: "chat.completion";
  model: string;
  usage?: Usage;
  [field: string]: unknown;
}

/**
 * The body sent upstream: the client's, with the upstream model id (and usage asked for when
 * streaming), without the lane switch and the gateway's own fields.
 */
export function upstreamChatBody(route: ModelRoute, body: ChatCompletionRequest): Record<string, unknown> {
  const { service_tier: _tier, ...rest } = body;
  const out: Record<string, unknown> = { ...rest, model: route.upstreamModel };
  for (const field of GATEWAY_ONLY_FIELDS) delete out[field];
  if (body.stream) out.stream_options = { ...(body.stream_options ?? {}), include_usage: true };
  return out;
}

/** Calls upstream and reads the whole completion; never throws for upstream trouble. */
export async function completeChat(route: ModelRoute, body: ChatCompletionRequest, signal: AbortSignal | undefined, timeoutMs: number): Promise<Attempt<ChatCompletion>> {
  const startedAt = Date.now();
  const latency = () => Date.now() - startedAt;
  const result = await callUpstream({ provider: route.provider, path: "/chat/completions", body: upstreamChatBody(route, { ...body, stream: false }), signal, timeoutMs });
  if (!result.ok) return failed(result.error, { status: result.status, latencyMs: latency(), retryAfterMs: result.retryAfterMs });
  const hints = rateLimitHints(result.response.headers);
  let completion: ChatCompletion;
  try {
    const text = await withTimeout(result.response.text(), timeoutMs);
    completion = JSON.parse(text) as ChatCompletion;
    if (!completion || typeof completion !== "object" || !Array.isArray(completion.choices)) throw new Error("not a chat completion");
  } catch (cause) {
    const error =
      cause instanceof GatewayError
        ? cause
        : signal?.aborted
          ? new GatewayError("upstream_error", "the call was cancelled", { code: "cancelled" })
          : new GatewayError("upstream_error", `provider '${route.provider.name}' sent a malformed response`, { code: "upstream_malformed" });
    return failed(error, { status: signal?.aborted ? 499 : error.status, latencyMs: latency(), ...hints });
  }
  completion.model = route.model;
  const usage = completion.usage;
  return { ok: true, value: completion, summary: { status: 200, usage, outcome: { status: 200, latencyMs: latency(), tokens: usage?.total_tokens, ...hints } } };
}

/** Calls upstream for a stream and relays it as it arrives; the summary comes when the stream ends. */
export async function streamChat(route: ModelRoute, body: ChatCompletionRequest, signal: AbortSignal, timeoutMs: number): Promise<Attempt<ReadableStream<Uint8Array>>> {
  const startedAt = Date.now();
  const upstream = await callUpstream({ provider: route.provider, path: "/chat/completions", body: upstreamChatBody(route, body), signal, timeoutMs });
  if (!upstream.ok) return failed(upstream.error, { status: upstream.status, latencyMs: Date.now() - startedAt, retryAfterMs: upstream.retryAfterMs });
  const hints = rateLimitHints(upstream.response.headers);
  let ended!: (summary: Summary) => void;
  const summary = new Promise<Summary>((resolve) => (ended = resolve));
  const stream = relayChatStream(upstream.response.body!, {
    publicModel: body.model,
    clientWantsUsage: body.stream_options?.include_usage === true,
    startedAt,
    idleTimeoutMs: timeoutMs,
    signal,
    onEnd: (s: StreamSummary) =>
      ended({ status: s.status, usage: s.usage, ttftMs: s.ttftMs, error: s.error, outcome: { status: s.status, latencyMs: Date.now() - startedAt, ttftMs: s.ttftMs, tokens: s.usage?.total_tokens, ...hints } }),
  });
  return { ok: true, value: stream, summary };
}

function failed(error: GatewayError, outcome: Summary["outcome"]): Attempt<never> {
  return { ok: false, error, summary: { status: error.status, error: error.message, outcome } };
}
