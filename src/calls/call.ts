/**
 * The one call pipeline: route → lease → attempt → release → settle → finish hooks. Every upstream
 * call goes through `runCall`: realtime chat (plain and streamed), embeddings, the synchronous
 * task lane, and task runs. A plan says what differs: the lane, how long to wait, the attempt
 * itself, and what to do with the result.
 */
import { GatewayError } from "../core/errors.ts";
import type { TokenUsage } from "../core/canonical.ts";
import type { ModelRoute } from "../providers/registry.ts";
import { requestLease, type Lease } from "../scheduler/lease.ts";
import type { Lane, Outcome, RejectReason } from "../scheduler/policy.ts";
import type { CallContext } from "./call-context.ts";
import { finishCall, type CallRecord } from "./finish.ts";
import { resolveRoute } from "./route-model.ts";

/** How an attempt ended, for the governor (outcome) and the finish hooks. */
export interface Summary {
  status: number;
  outcome: Outcome;
  usage?: TokenUsage | undefined;
  ttftMs?: number | undefined;
  error?: string | undefined;
}

/** One upstream attempt. A stream's summary comes when the stream ends. */
export type Attempt<T> = { ok: true; value: T; summary: Summary | Promise<Summary> } | { ok: false; error: GatewayError; summary: Summary };

export type CallResult<T> =
  | { kind: "ok"; value: T }
  | { kind: "failed"; error: GatewayError; retryAfterMs: number | undefined }
  | { kind: "refused"; error: GatewayError; reason: RejectReason; retryAfterMs: number }
  | { kind: "slot_lost"; preempted: boolean };

/** What `settle` may change of what the finish hooks see; `log: false` leaves no log row. */
export type Settled = { status?: number; error?: string; log?: false } | void;

export interface CallPlan<T> {
  /** The public model name the caller asked for. */
  model: string;
  lane: Lane;
  stream: boolean;
  /** Estimated tokens, charged to the TPM bucket. */
  tokens: number;
  /** How long the call may wait for a slot. */
  waitMs: number;
  deadline?: number | undefined;
  taskId?: string | undefined;
  /** The route, when the caller resolved it already. */
  route?: ModelRoute;
  /** Whether a refusal leaves a log row (default yes; task runs retry quietly). */
  logRefusal?: boolean;
  /** How many times a preempted attempt runs again, invisibly to the caller (default 0: the result says so). */
  rerunsWhenPreempted?: number;
  /** Once the route is known and before a slot is asked for: what can be refused without calling (a field the provider cannot take). */
  prepare?: (route: ModelRoute) => void;
  /** When the slot is granted, before the attempt (a task run claims its row). */
  onLease?: (lease: Lease) => void;
  /** The upstream attempt on the routed provider, aborted by `signal`. */
  attempt: (route: ModelRoute, signal: AbortSignal) => Promise<Attempt<T>>;
  /** The caller's bookkeeping of the result, before the finish hooks (a task run records its outcome). */
  settle?: (result: CallResult<T>, route: ModelRoute) => Promise<Settled>;
}

/** Runs a call through the pipeline; never throws for upstream trouble or a refusal: the result says. */
export async function runCall<T>(ctx: CallContext, plan: CallPlan<T>): Promise<CallResult<T>> {
  const route = plan.route ?? (await resolveRoute(ctx.env, ctx.caller, plan.model));
  plan.prepare?.(route);
  const startedAt = Date.now();
  const record: CallRecord = { endpoint: ctx.endpoint, taskId: plan.taskId, model: plan.model, provider: route.provider.name, lane: plan.lane, stream: plan.stream, status: 0, startedAt };

  for (let run = 0; ; run++) {
    const waitMs = plan.deadline === undefined ? plan.waitMs : Math.min(plan.waitMs, plan.deadline - Date.now());
    let got: Awaited<ReturnType<typeof requestLease>>;
    try {
      got = await requestLease(ctx.env, route.provider, { lane: plan.lane, tenant: ctx.caller.ownerId, tokens: plan.tokens, waitMs, taskId: plan.taskId, deadline: plan.deadline });
    } catch (error) {
      // The governor is unreachable (a 503 with Retry-After): nothing was admitted.
      if (plan.logRefusal !== false) finishCall(ctx, { ...record, status: error instanceof GatewayError ? error.status : 500, error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
    if ("refused" in got) {
      const error = refusalError(plan.lane, route, got.refused.reason, got.refused.retryAfterMs);
      const result: CallResult<T> = { kind: "refused", error, reason: got.refused.reason, retryAfterMs: got.refused.retryAfterMs };
      const settled = await plan.settle?.(result, route);
      if (plan.logRefusal !== false && settled?.log !== false) finishCall(ctx, { ...record, status: settled?.status ?? error.status, error: settled?.error ?? error.message });
      return result;
    }

    const lease = got.lease;
    // Only a task's slot may be taken back (for a realtime call): listen at once, not only at the
    // next renew, and let that abort the attempt. A realtime call is never aborted for its lease.
    const revocable = plan.lane === "task";
    if (revocable) lease.watchRevocation();
    plan.onLease?.(lease);
    const attempt = await attemptSafely(plan, route, revocable ? AbortSignal.any([ctx.signal, lease.lost]) : ctx.signal);

    // The slot was taken back (preempted, or the lease lost): the attempt teaches the governor nothing.
    if (revocable && lease.lost.aborted && !ctx.signal.aborted) {
      const released = lease.release();
      if (run < (plan.rerunsWhenPreempted ?? 0)) {
        ctx.waitUntil(released);
        continue;
      }
      const result: CallResult<T> = { kind: "slot_lost", preempted: lease.preempted };
      const settled = await plan.settle?.(result, route).finally(() => released);
      if (settled?.log !== false) finishCall(ctx, { ...record, status: settled?.status ?? 499, error: settled?.error ?? (lease.preempted ? "preempted" : "lease lost") });
      return result;
    }

    const result: CallResult<T> = attempt.ok ? { kind: "ok", value: attempt.value } : { kind: "failed", error: attempt.error, retryAfterMs: attempt.summary.outcome.retryAfterMs };
    const done = async (summary: Summary): Promise<void> => {
      // Release alongside the settling writes; a failed release only lets the lease expire.
      const released = lease.release(summary.outcome);
      const settled = await plan.settle?.(result, route).finally(() => released);
      if (settled?.log === false) return;
      finishCall(ctx, { ...record, status: settled?.status ?? summary.status, ttftMs: summary.ttftMs, usage: summary.usage, error: settled?.error ?? summary.error });
    };
    if (attempt.summary instanceof Promise) ctx.waitUntil(attempt.summary.then(done));
    else await done(attempt.summary);
    return result;
  }
}

/**
 * The attempt, with whatever it throws (a token exchange that failed, a bug) turned into a failed
 * attempt: the slot is then released and the call logged like any failure.
 */
async function attemptSafely<T>(plan: CallPlan<T>, route: ModelRoute, signal: AbortSignal): Promise<Attempt<T>> {
  const startedAt = Date.now();
  try {
    return await plan.attempt(route, signal);
  } catch (cause) {
    if (!(cause instanceof GatewayError)) console.error("call attempt threw", route.provider.name, cause);
    const error = cause instanceof GatewayError ? cause : new GatewayError("internal", "the gateway failed while calling the provider", { code: "internal_error" });
    return { ok: false, error, summary: { status: error.status, error: error.message, outcome: { status: error.status, latencyMs: Date.now() - startedAt } } };
  }
}

/** The result as a value, or its error thrown (what an HTTP route answers with). */
export function valueOf<T>(result: CallResult<T>): T {
  if (result.kind === "ok") return result.value;
  if (result.kind === "slot_lost") throw new GatewayError("rate_limited", "preempted by realtime traffic too many times; retry later", { code: "task_preempted", retryAfter: 5 });
  throw result.error;
}

function refusalError(lane: Lane, route: ModelRoute, reason: RejectReason, retryAfterMs: number): GatewayError {
  const retryAfter = Math.max(1, retryAfterMs / 1000);
  const provider = route.provider;
  if (reason === "expired") return new GatewayError("upstream_timeout", "the deadline passed before task capacity opened", { code: "deadline_exceeded" });
  if (lane === "task") {
    return new GatewayError("rate_limited", `no task capacity on provider '${provider.name}' right now; retry later or submit with POST /v1/tasks`, { code: "task_capacity_exceeded", retryAfter });
  }
  if (reason === "rate_limited") return new GatewayError("rate_limited", `provider '${provider.name}' is at its configured request or token rate; retry later`, { code: "rate_limit_exceeded", retryAfter });
  return new GatewayError("rate_limited", `provider '${provider.name}' is at capacity (${provider.limits.maxConcurrency} concurrent calls); retry later`, { code: "capacity_exceeded", retryAfter });
}
