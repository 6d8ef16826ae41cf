/**
 * One real call to test a model or a deployment: the health check's probe, `POST
 * /api/providers/{id}/health` and `POST /v1/models/{name}/test`. It goes through the same
 * pipeline as every call (a lease, the governor learns from it, a log row), on the realtime lane.
 */
import { GatewayError } from "../core/errors.ts";
import { settings } from "../env.ts";
import type { Deployment } from "../routing/route-table.ts";
import type { RoutePlan } from "../routing/resolve.ts";
import { attemptTimeoutMs, runCall } from "./call.ts";
import type { CallContext } from "./call-context.ts";
import { completeChat, prepareChat, type InboundChat, type PreparedChat } from "./chat.ts";

export interface ProbeResult {
  model: string;
  deployment: string | null;
  ok: boolean;
  status: number;
  latency_ms: number;
  attempts: number;
  answer: string | null;
  usage: unknown;
  error: { message: string; code: string | null } | null;
}

/** The answer's text from a chat.completion. */
function answerText(value: Record<string, unknown>): string | null {
  const choice = (value.choices as { message?: { content?: unknown } }[] | undefined)?.[0];
  return typeof choice?.message?.content === "string" ? choice.message.content : null;
}

/**
 * Sends `message` to the model: over its routing (with failover) or, given `deployment`, to that
 * one only, without waiting for a slot and without failover.
 */
export async function probe(ctx: CallContext, route: RoutePlan, message: string, deployment?: Deployment): Promise<ProbeResult> {
  const inbound: InboundChat = { dialect: "openai", body: { model: route.requested, messages: [{ role: "user", content: message }], max_tokens: 16, stream: false } };
  let prepared: PreparedChat | undefined;
  const startedAt = Date.now();
  const result = await runCall(ctx, {
    model: route.requested,
    route,
    lane: "realtime",
    stream: false,
    tokens: 32,
    waitMs: deployment ? 0 : settings(ctx.env).REALTIME_WAIT_MS,
    ...(deployment ? { only: (d: Deployment) => d.id === deployment.id && d.governor === deployment.governor, maxAttempts: 1 } : {}),
    prepare: (d) => void (prepared = prepareChat(inbound, d)),
    attempt: (d, signal, budget) => completeChat(ctx.env, inbound, d, prepared!, signal, attemptTimeoutMs(settings(ctx.env).UPSTREAM_TIMEOUT_MS, budget)),
  });
  const base = { model: route.model, deployment: result.deployment ?? null, latency_ms: Date.now() - startedAt, attempts: result.attempts };
  if (result.kind === "ok") return { ...base, ok: true, status: 200, answer: answerText(result.value), usage: result.value.usage ?? null, error: null };
  const error = result.kind === "slot_lost" ? new GatewayError("rate_limited", "the slot was taken back", { code: "preempted" }) : result.error;
  return { ...base, ok: false, status: error.status, answer: null, usage: null, error: { message: error.message, code: error.code } };
}
