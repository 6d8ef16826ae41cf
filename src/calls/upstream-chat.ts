/** One chat completion against a routed provider, non-streaming: the piece realtime and task calls share. */
import { GatewayError } from "../core/errors.ts";
import { GATEWAY_ONLY_FIELDS, type ChatCompletionRequest, type Usage } from "../core/openai-schema.ts";
import { withTimeout } from "../core/timeout.ts";
import { callUpstream, rateLimitHints } from "../providers/openai-client.ts";
import type { ModelRoute } from "../providers/registry.ts";
import type { Outcome } from "../scheduler/policy.ts";

export interface ChatCompletion {
  object: "chat.completion";
  model: string;
  usage?: Usage;
  [field: string]: unknown;
}

export type ChatResult =
  | { ok: true; completion: ChatCompletion; outcome: Outcome }
  | { ok: false; error: GatewayError; outcome: Outcome };

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
export async function completeChat(route: ModelRoute, body: ChatCompletionRequest, signal: AbortSignal | undefined, timeoutMs: number): Promise<ChatResult> {
  const startedAt = Date.now();
  const latency = () => Date.now() - startedAt;
  const result = await callUpstream({ provider: route.provider, path: "/chat/completions", body: upstreamChatBody(route, { ...body, stream: false }), signal, timeoutMs });
  if (!result.ok) return { ok: false, error: result.error, outcome: { status: result.status, latencyMs: latency(), retryAfterMs: result.retryAfterMs } };
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
    return { ok: false, error, outcome: { status: signal?.aborted ? 499 : error.status, latencyMs: latency(), ...hints } };
  }
  completion.model = route.model;
  const tokens = completion.usage?.total_tokens;
  return { ok: true, completion, outcome: { status: 200, latencyMs: latency(), tokens, ...hints } };
}
