/** A realtime chat completion: lease from the governor, upstream call (streamed or not), release, log. */
import type { Principal } from "../auth/principal.ts";
import type { ChatCompletionRequest } from "../core/openai-schema.ts";
import { settings, type Bindings } from "../env.ts";
import { relayChatStream } from "../providers/chat-stream.ts";
import { callUpstream, rateLimitHints } from "../providers/openai-client.ts";
import { logCall } from "./call-log.ts";
import { leaseForRealtime } from "./realtime-lease.ts";
import { resolveRoute } from "./route-model.ts";
import { completeChat, upstreamChatBody } from "./upstream-chat.ts";

export interface CallScope {
  env: Bindings;
  principal: Principal;
  waitUntil: (work: Promise<unknown>) => void;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  endpoint: string;
}

export async function realtimeChat(scope: CallScope, body: ChatCompletionRequest): Promise<Response> {
  const { env, principal, waitUntil } = scope;
  const startedAt = Date.now();
  const route = await resolveRoute(env, principal, body.model);
  const { UPSTREAM_TIMEOUT_MS } = settings(env);
  const base = { endpoint: scope.endpoint, model: body.model, provider: route.provider.name, lane: "realtime" as const, stream: Boolean(body.stream), startedAt };
  const lease = await leaseForRealtime(scope, route, body, { ...base, status: 429 });

  if (!body.stream) {
    const result = await completeChat(route, body, scope.signal, UPSTREAM_TIMEOUT_MS);
    waitUntil(lease.release(result.outcome));
    if (!result.ok) {
      waitUntil(logCall(env, principal, { ...base, status: result.error.status, error: result.error.message }));
      throw result.error;
    }
    waitUntil(logCall(env, principal, { ...base, status: 200, usage: result.completion.usage }));
    return Response.json(result.completion);
  }

  const upstream = await callUpstream({ provider: route.provider, path: "/chat/completions", body: upstreamChatBody(route, body), signal: scope.signal, timeoutMs: UPSTREAM_TIMEOUT_MS });
  if (!upstream.ok) {
    waitUntil(lease.release({ status: upstream.status, latencyMs: Date.now() - startedAt, retryAfterMs: upstream.retryAfterMs }));
    waitUntil(logCall(env, principal, { ...base, status: upstream.error.status, error: upstream.error.message }));
    throw upstream.error;
  }
  const hints = rateLimitHints(upstream.response.headers);
  const stream = relayChatStream(upstream.response.body!, {
    publicModel: body.model,
    clientWantsUsage: body.stream_options?.include_usage === true,
    startedAt,
    idleTimeoutMs: UPSTREAM_TIMEOUT_MS,
    signal: scope.signal,
    onEnd: (summary) => {
      const latencyMs = Date.now() - startedAt;
      waitUntil(lease.release({ status: summary.status, latencyMs, ttftMs: summary.ttftMs, tokens: summary.usage?.total_tokens, ...hints }));
      waitUntil(logCall(env, principal, { ...base, status: summary.status, ttftMs: summary.ttftMs, usage: summary.usage, error: summary.error }));
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" } });
}
