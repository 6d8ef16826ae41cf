/**
 * The OpenAI-shaped calls a route makes: a chat completion (realtime, or on the task lane the
 * caller waits for), streamed or not, and embeddings. Each is one plan for the call pipeline.
 */
import { GatewayError } from "../core/errors.ts";
import type { ChatCompletionRequest, EmbeddingsRequest } from "../core/openai-schema.ts";
import { estimateTokens } from "../core/usage.ts";
import { settings } from "../env.ts";
import type { Lane } from "../scheduler/policy.ts";
import { runCall, valueOf } from "./call.ts";
import type { CallContext } from "./call-context.ts";
import { completeChat, streamChat } from "./upstream-chat.ts";
import { embed } from "./upstream-embeddings.ts";

/** Runs of a task-lane call a realtime call may preempt before the caller gets a 429. */
const MAX_PREEMPTIONS = 10;

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" };

/** Whether a request asks for the task lane (`service_tier: "flex"` or `X-Request-Class: task`). */
export function wantsTaskLane(body: ChatCompletionRequest, header: string | undefined): boolean {
  return body.service_tier === "flex" || header?.trim().toLowerCase() === "task";
}

/**
 * A chat completion. On the task lane the caller still waits, but the call is scheduled as a task:
 * when a realtime call preempts it, it waits again and runs again, invisibly to the caller.
 */
export async function chatCompletion(ctx: CallContext, body: ChatCompletionRequest, lane: Lane): Promise<Response> {
  const { REALTIME_WAIT_MS, TASK_WAIT_MS, UPSTREAM_TIMEOUT_MS } = settings(ctx.env);
  if (lane === "task" && body.stream) {
    throw new GatewayError("invalid_request", "streaming is not offered on the task lane; drop service_tier/X-Request-Class or set stream to false", { param: "stream", code: "unsupported_value" });
  }
  const deadline = body.deadline === undefined ? undefined : Date.parse(body.deadline);
  if (deadline !== undefined && deadline <= Date.now()) throw new GatewayError("invalid_request", "deadline is in the past", { param: "deadline", code: "invalid_value" });
  const plan = {
    model: body.model,
    lane,
    tokens: estimateTokens(body),
    waitMs: lane === "task" ? TASK_WAIT_MS : REALTIME_WAIT_MS,
    deadline,
    rerunsWhenPreempted: lane === "task" ? MAX_PREEMPTIONS : 0,
  };
  if (body.stream) {
    const stream = valueOf(await runCall(ctx, { ...plan, stream: true, attempt: (route, signal) => streamChat(route, body, signal, UPSTREAM_TIMEOUT_MS) }));
    return new Response(stream, { headers: SSE_HEADERS });
  }
  return Response.json(valueOf(await runCall(ctx, { ...plan, stream: false, attempt: (route, signal) => completeChat(route, body, signal, UPSTREAM_TIMEOUT_MS) })));
}

/** Embeddings, on the realtime lane. */
export async function embeddings(ctx: CallContext, body: EmbeddingsRequest): Promise<Response> {
  const { REALTIME_WAIT_MS, UPSTREAM_TIMEOUT_MS } = settings(ctx.env);
  const result = await runCall(ctx, {
    model: body.model,
    lane: "realtime",
    stream: false,
    tokens: estimateTokens(body),
    waitMs: REALTIME_WAIT_MS,
    attempt: (route, signal) => embed(route, body, signal, UPSTREAM_TIMEOUT_MS),
  });
  return Response.json(valueOf(result));
}
