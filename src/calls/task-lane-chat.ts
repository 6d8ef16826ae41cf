/**
 * A chat completion the caller waits for but that is scheduled as a task (`service_tier: "flex"`
 * or `X-Request-Class: task`): it takes a task lease, and when a realtime call preempts it, it
 * goes back to waiting and runs again, invisibly to the caller.
 */
import type { ChatCompletionRequest } from "../core/openai-schema.ts";
import { GatewayError } from "../core/errors.ts";
import { estimateTokens } from "../core/usage.ts";
import { settings } from "../env.ts";
import { requestLease } from "../scheduler/lease.ts";
import { logCall } from "./call-log.ts";
import type { CallScope } from "./realtime-chat.ts";
import { resolveRoute } from "./route-model.ts";
import { completeChat } from "./upstream-chat.ts";

const MAX_PREEMPTIONS = 10;

/** Whether a request asks for the task lane. */
export function wantsTaskLane(body: ChatCompletionRequest, header: string | undefined): boolean {
  return body.service_tier === "flex" || header?.trim().toLowerCase() === "task";
}

export async function taskLaneChat(scope: CallScope, body: ChatCompletionRequest): Promise<Response> {
  if (body.stream) {
    throw new GatewayError("invalid_request", "streaming is not offered on the task lane; drop service_tier/X-Request-Class or set stream to false", { param: "stream", code: "unsupported_value" });
  }
  const { env, principal, waitUntil } = scope;
  const startedAt = Date.now();
  const route = await resolveRoute(env, principal, body.model);
  const { TASK_WAIT_MS, UPSTREAM_TIMEOUT_MS } = settings(env);
  const base = { endpoint: scope.endpoint, model: body.model, provider: route.provider.name, lane: "task" as const, stream: false, startedAt };
  const deadline = body.deadline === undefined ? undefined : Date.parse(body.deadline);
  if (deadline !== undefined && deadline <= startedAt) throw new GatewayError("invalid_request", "deadline is in the past", { param: "deadline", code: "invalid_value" });

  for (let preemptions = 0; preemptions <= MAX_PREEMPTIONS; preemptions++) {
    const waitMs = deadline === undefined ? TASK_WAIT_MS : Math.min(TASK_WAIT_MS, deadline - Date.now());
    const got = await requestLease(env, route.provider, { lane: "task", tenant: principal.ownerId, tokens: estimateTokens(body), waitMs, ...(deadline === undefined ? {} : { deadline }) });
    if ("refused" in got) {
      if (got.refused.reason === "expired") {
        waitUntil(logCall(env, principal, { ...base, status: 504, error: "deadline passed while waiting for task capacity" }));
        throw new GatewayError("upstream_timeout", "the deadline passed before task capacity opened", { code: "deadline_exceeded" });
      }
      waitUntil(logCall(env, principal, { ...base, status: 429, error: "no task capacity" }));
      throw new GatewayError("rate_limited", `no task capacity on provider '${route.provider.name}' right now; retry later or submit with POST /v1/tasks`, { code: "task_capacity_exceeded", retryAfter: Math.max(1, got.refused.retryAfterMs / 1000) });
    }
    const lease = got.lease;
    lease.watchRevocation();
    const result = await completeChat(route, body, AbortSignal.any([lease.lost, scope.signal]), UPSTREAM_TIMEOUT_MS);
    const slotLost = lease.lost.aborted;
    waitUntil(lease.release(slotLost ? undefined : result.outcome));
    if (slotLost && !scope.signal.aborted) continue;
    if (!result.ok) {
      waitUntil(logCall(env, principal, { ...base, status: result.error.status, error: result.error.message }));
      throw result.error;
    }
    waitUntil(logCall(env, principal, { ...base, status: 200, usage: result.completion.usage }));
    return Response.json(result.completion);
  }
  throw new GatewayError("rate_limited", "preempted by realtime traffic too many times; retry later", { code: "task_preempted", retryAfter: 5 });
}
