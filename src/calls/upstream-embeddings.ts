/** An embeddings attempt against a routed OpenAI-compatible provider. */
import { GatewayError } from "../core/errors.ts";
import type { EmbeddingsRequest, Usage } from "../core/openai-schema.ts";
import { withTimeout } from "../core/timeout.ts";
import { callUpstream, rateLimitHints } from "../providers/openai-client.ts";
import type { ModelRoute } from "../providers/registry.ts";
import type { Attempt } from "./call.ts";

export interface Embeddings {
  model?: string;
  usage?: Usage;
  data: unknown[];
  [field: string]: unknown;
}

/** Calls upstream and reads the embeddings; never throws for upstream trouble. */
export async function embed(route: ModelRoute, body: EmbeddingsRequest, signal: AbortSignal, timeoutMs: number): Promise<Attempt<Embeddings>> {
  const startedAt = Date.now();
  const upstream = await callUpstream({ provider: route.provider, path: "/embeddings", body: { ...body, model: route.upstreamModel }, signal, timeoutMs });
  if (!upstream.ok) {
    return { ok: false, error: upstream.error, summary: { status: upstream.error.status, error: upstream.error.message, outcome: { status: upstream.status, latencyMs: Date.now() - startedAt, retryAfterMs: upstream.retryAfterMs } } };
  }
  const hints = rateLimitHints(upstream.response.headers);
  const json = await withTimeout(upstream.response.json<Embeddings>(), timeoutMs).catch(() => undefined);
  if (!json || !Array.isArray(json.data)) {
    const error = new GatewayError("upstream_error", `provider '${route.provider.name}' sent a malformed response`, { code: "upstream_malformed" });
    return { ok: false, error, summary: { status: error.status, error: error.message, outcome: { status: error.status, latencyMs: Date.now() - startedAt, ...hints } } };
  }
  return { ok: true, value: { ...json, model: route.model }, summary: { status: 200, usage: json.usage, outcome: { status: 200, latencyMs: Date.now() - startedAt, tokens: json.usage?.total_tokens, ...hints } } };
}
