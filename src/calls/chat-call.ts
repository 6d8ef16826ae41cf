/**
 * A chat call as a route makes it: realtime, or on the task lane the caller still waits for (a
 * preempted run waits and runs again, invisibly to the caller), streamed or not. One plan for the
 * call pipeline, whatever the dialects on either side.
 */
import { GatewayError } from "../core/errors.ts";
import { settings } from "../env.ts";
import type { Deployment } from "../routing/route-table.ts";
import type { Lane } from "../scheduler/policy.ts";
import { attemptTimeoutMs, routedHeaders, runCall, valueOf } from "./call.ts";
import type { CallContext } from "./call-context.ts";
import { chatTokens, completeChat, prepareChat, promptOf, streamChat, type InboundChat, type PreparedChat } from "./chat.ts";

/** Runs of a task-lane call a realtime call may preempt before the caller gets a 429. */
const MAX_PREEMPTIONS = 10;

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" };

export async function chatCall(ctx: CallContext, inbound: InboundChat, lane: Lane, deadline?: string, providerId?: string): Promise<Response> {
  const { REALTIME_WAIT_MS, TASK_WAIT_MS, UPSTREAM_TIMEOUT_MS } = settings(ctx.env);
  const stream = inbound.body.stream === true;
  if (lane === "task" && stream) {
    throw new GatewayError("invalid_request", "streaming is not offered on the task lane; drop service_tier/X-Request-Class or set stream to false", { param: "stream", code: "unsupported_value" });
  }
  const due = deadline === undefined ? undefined : Date.parse(deadline);
  if (due !== undefined && due <= Date.now()) throw new GatewayError("invalid_request", "deadline is in the past", { param: "deadline", code: "invalid_value" });
  let prepared: PreparedChat | undefined;
  const plan = {
    model: inbound.body.model,
    lane,
    tokens: chatTokens(inbound),
    waitMs: lane === "task" ? TASK_WAIT_MS : REALTIME_WAIT_MS,
    deadline: due,
    rerunsWhenPreempted: lane === "task" ? MAX_PREEMPTIONS : 0,
    prompt: () => promptOf(inbound),
    providerId,
    prepare: (route: Deployment) => void (prepared = prepareChat(inbound, route)),
  };
  if (stream) {
    const result = await runCall(ctx, { ...plan, stream: true, attempt: (route, signal, budget) => streamChat(ctx.env, inbound, route, prepared!, signal, attemptTimeoutMs(UPSTREAM_TIMEOUT_MS, budget)) });
    return new Response(valueOf(result), { headers: { ...SSE_HEADERS, ...routedHeaders(result) } });
  }
  const result = await runCall(ctx, { ...plan, stream: false, attempt: (route, signal, budget) => completeChat(ctx.env, inbound, route, prepared!, signal, attemptTimeoutMs(UPSTREAM_TIMEOUT_MS, budget)) });
  return Response.json(valueOf(result), { headers: routedHeaders(result) });
}
