/** An embeddings call, on the realtime lane, to an OpenAI-shaped provider (OpenAI, Azure, token-auth, the compatible presets). */
import { GatewayError } from "../core/errors.ts";
import { withTimeout } from "../core/timeout.ts";
import { estimateTokens } from "../core/usage.ts";
import { settings, type Bindings } from "../env.ts";
import { checkEmbeddings, embeddingsEndpoint } from "../providers/kinds.ts";
import type { ModelRoute } from "../providers/provider.ts";
import { usageFromOpenAI } from "../providers/stream-parser.ts";
import { fetchUpstream, rateLimitHints } from "../providers/upstream-fetch.ts";
import type { EmbeddingsRequest } from "../wire/openai/schema.ts";
import { attemptTimeoutMs, routedHeaders, runCall, valueOf, type Attempt } from "./call.ts";
import type { CallContext } from "./call-context.ts";

interface Embeddings {
  model?: string;
  usage?: Record<string, unknown>;
  data: unknown[];
  [field: string]: unknown;
}

async function embed(env: Bindings, route: ModelRoute, body: EmbeddingsRequest, signal: AbortSignal, timeoutMs: number): Promise<Attempt<Embeddings>> {
  const startedAt = Date.now();
  const endpoint = await embeddingsEndpoint(env, route);
  const upstream = await fetchUpstream({ ...endpoint, body: { ...body, model: route.upstreamModel } }, { provider: route.provider.name, secrets: [route.provider.credential, endpoint.headers.authorization?.replace(/^Bearer /, "")], signal, timeoutMs });
  if (!upstream.ok) {
    return { ok: false, error: upstream.error, summary: { status: upstream.error.status, error: upstream.error.message, outcome: { status: upstream.status, latencyMs: Date.now() - startedAt, retryAfterMs: upstream.retryAfterMs } } };
  }
  const hints = rateLimitHints(upstream.response.headers);
  const json = await withTimeout(upstream.response.json<Embeddings>(), timeoutMs).catch(() => undefined);
  if (!json || !Array.isArray(json.data)) {
    const error = new GatewayError("upstream_error", `provider '${route.provider.name}' sent a malformed response`, { code: "upstream_malformed" });
    return { ok: false, error, summary: { status: error.status, error: error.message, outcome: { status: error.status, latencyMs: Date.now() - startedAt, ...hints } } };
  }
  const usage = json.usage ? usageFromOpenAI(json.usage) : undefined;
  return { ok: true, value: { ...json, model: route.model }, summary: { status: 200, usage, outcome: { status: 200, latencyMs: Date.now() - startedAt, tokens: usage ? usage.inputTokens + usage.outputTokens : undefined, ...hints } } };
}

export async function embeddingsCall(ctx: CallContext, body: EmbeddingsRequest): Promise<Response> {
  const { REALTIME_WAIT_MS, UPSTREAM_TIMEOUT_MS } = settings(ctx.env);
  const result = await runCall(ctx, {
    model: body.model,
    lane: "realtime",
    stream: false,
    tokens: estimateTokens(body),
    waitMs: REALTIME_WAIT_MS,
    prepare: checkEmbeddings,
    attempt: (route, signal, budget) => embed(ctx.env, route, body, signal, attemptTimeoutMs(UPSTREAM_TIMEOUT_MS, budget)),
  });
  return Response.json(valueOf(result), { headers: routedHeaders(result) });
}
