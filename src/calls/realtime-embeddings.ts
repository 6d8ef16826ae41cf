/** A realtime embeddings call: lease, upstream, release, log. */
import { GatewayError } from "../core/errors.ts";
import type { EmbeddingsRequest, Usage } from "../core/openai-schema.ts";
import { withTimeout } from "../core/timeout.ts";
import { settings } from "../env.ts";
import { callUpstream, rateLimitHints } from "../providers/openai-client.ts";
import { logCall } from "./call-log.ts";
import type { CallScope } from "./realtime-chat.ts";
import { leaseForRealtime } from "./realtime-lease.ts";
import { resolveRoute } from "./route-model.ts";

export async function realtimeEmbeddings(scope: CallScope, body: EmbeddingsRequest): Promise<Response> {
  const { env, principal, waitUntil } = scope;
  const startedAt = Date.now();
  const route = await resolveRoute(env, principal, body.model);
  const { UPSTREAM_TIMEOUT_MS } = settings(env);
  const base = { endpoint: scope.endpoint, model: body.model, provider: route.provider.name, lane: "realtime" as const, stream: false, startedAt };
  const lease = await leaseForRealtime(scope, route, body, { ...base, status: 429 });
  const upstream = await callUpstream({ provider: route.provider, path: "/embeddings", body: { ...body, model: route.upstreamModel }, signal: scope.signal, timeoutMs: UPSTREAM_TIMEOUT_MS });
  let failure: GatewayError | undefined = upstream.ok ? undefined : upstream.error;
  let json: { model?: string; usage?: Usage; data?: unknown } | undefined;
  if (upstream.ok) {
    json = await withTimeout(upstream.response.json<typeof json>(), UPSTREAM_TIMEOUT_MS).catch(() => undefined);
    if (!json || !Array.isArray(json.data)) failure = new GatewayError("upstream_error", `provider '${route.provider.name}' sent a malformed response`, { code: "upstream_malformed" });
  }
  const status = failure?.status ?? 200;
  const hints = upstream.ok ? rateLimitHints(upstream.response.headers) : {};
  waitUntil(lease.release({ status: upstream.ok ? status : upstream.status, latencyMs: Date.now() - startedAt, tokens: json?.usage?.total_tokens, ...hints }));
  waitUntil(logCall(env, principal, { ...base, status, usage: json?.usage, error: failure?.message }));
  if (failure) throw failure;
  return Response.json({ ...json, model: body.model });
}
