/**
 * The one call pipeline: route → lease → attempt → release → settle → finish hooks, with failover.
 * Every upstream call goes through `runCall`: realtime chat (plain and streamed), embeddings, the
 * synchronous task lane, task runs, health probes and model tests. A plan says what differs: the
 * lane, how long to wait, the attempt itself, and what to do with the result.
 *
 * Routing gives the model's deployments in order. A slot is asked of each in turn without waiting
 * (a deployment with a free slot now beats waiting in a line), then, if none has one, of the first
 * with the full wait. An attempt that fails in a way another deployment may not (429, 5xx, a
 * timeout, a broken connection, the upstream refusing the gateway's key) is released, logged, and
 * tried on the next deployment, within FAILOVER_MAX_ATTEMPTS and FAILOVER_DEADLINE_MS; a stream
 * fails over only before its first byte reaches the caller (an attempt returns a stream only once
 * the upstream answered 200). Each deployment is tried at most once per call, after a small
 * jittered back-off; one that answered with Retry-After goes last for other calls until then. A
 * failure caused by the request itself is never retried.
 */
import type { TokenUsage } from "../core/canonical.ts";
import { GatewayError } from "../core/errors.ts";
import { settings } from "../env.ts";
import { planRoute, type RoutePlan } from "../routing/resolve.ts";
import type { Deployment } from "../routing/route-table.ts";
import type { PromptText } from "../routing/rules.ts";
import { recordRuleHit } from "../routing/rule-hits.ts";
import { noteCooling, noteView } from "../routing/views.ts";
import { requestLease, type LeaseTarget } from "../scheduler/lease.ts";
import { noteGovernorSlot, takeSharedSlot, type Slot } from "../scheduler/share-slot.ts";
import type { Lane, Outcome, RejectReason } from "../scheduler/policy.ts";
import type { CallContext } from "./call-context.ts";
import { failoverDelayMs, worthFailingOver } from "./failover.ts";
import { finishCall, type CallRecord } from "./finish.ts";

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

/** An attempt's upstream timeout: the setting, or less when another deployment waits (see runCall). */
export function attemptTimeoutMs(upstreamTimeoutMs: number, budgetMs: number | undefined): number {
  return budgetMs === undefined ? upstreamTimeoutMs : Math.min(upstreamTimeoutMs, budgetMs);
}

/** Where the call went: the deployment of its last attempt, and how many attempts it took. */
export interface Routed {
  deployment: string | undefined;
  attempts: number;
}

export type CallResult<T> = Routed &
  (
    | { kind: "ok"; value: T }
    | { kind: "failed"; error: GatewayError; retryAfterMs: number | undefined }
    | { kind: "refused"; error: GatewayError; reason: RejectReason; retryAfterMs: number }
    | { kind: "slot_lost"; preempted: boolean }
  );

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
  /** The route, when the caller planned it already. */
  route?: RoutePlan;
  /** The prompt's text, for routing rules. */
  prompt?: () => PromptText;
  /** A user's model configuration (seed 000's model_config_id). */
  providerId?: string | undefined;
  /** Only these deployments (a health probe, a model test of one deployment). */
  only?: (deployment: Deployment) => boolean;
  /** Deployments tried at most (default FAILOVER_MAX_ATTEMPTS). */
  maxAttempts?: number;
  /** Whether a refusal leaves a log row (default yes; task runs retry quietly). */
  logRefusal?: boolean;
  /** How many times a preempted attempt runs again, invisibly to the caller (default 0: the result says so). */
  rerunsWhenPreempted?: number;
  /** Before a deployment is asked for a slot: what it cannot take is refused without calling (a field its provider cannot take). */
  prepare?: (route: Deployment) => void;
  /** When a slot is granted, before the attempt (a task run claims its row). */
  onLease?: (lease: Slot, route: Deployment) => void;
  /**
   * The upstream attempt on a deployment, aborted by `signal`. `budgetMs`, when set, caps its
   * upstream timeout: another deployment is waiting to be tried if this one hangs.
   */
  attempt: (route: Deployment, signal: AbortSignal, budgetMs: number | undefined) => Promise<Attempt<T>>;
  /** The caller's bookkeeping of the result, before the finish hooks (a task run records its outcome). */
  settle?: (result: CallResult<T>, route: Deployment | undefined) => Promise<Settled>;
}

/** Runs a call through the pipeline; never throws for upstream trouble or a refusal: the result says. */
export async function runCall<T>(ctx: CallContext, plan: CallPlan<T>): Promise<CallResult<T>> {
  const route = plan.route ?? (await planRoute(ctx.env, ctx.caller, { model: plan.model, prompt: plan.prompt, providerId: plan.providerId }));
  if (route.rule) ctx.waitUntil(recordRuleHit(ctx.env, route.rule.id));
  const candidates = preparedCandidates(plan, route);
  const { FAILOVER_MAX_ATTEMPTS, FAILOVER_DEADLINE_MS } = settings(ctx.env);
  const maxAttempts = plan.maxAttempts ?? FAILOVER_MAX_ATTEMPTS;
  const startedAt = Date.now();
  const recordOf = (d: Deployment | undefined, attempt: number): CallRecord => ({ endpoint: ctx.endpoint, taskId: plan.taskId, model: plan.model, provider: d?.provider.name ?? null, deployment: d?.id ?? null, upstreamModel: d?.upstreamModel ?? null, attempt, lane: plan.lane, stream: plan.stream, status: 0, startedAt });
  const failed = new Set<string>();
  let attempts = 0;
  let reruns = 0;
  /** The last failed attempt that was failed over (already logged, its lease released). */
  let lastFailure: { attempt: Extract<Attempt<T>, { ok: false }>; deployment: Deployment } | undefined;
  const leftMs = () => FAILOVER_DEADLINE_MS - (Date.now() - startedAt);

  for (;;) {
    const got = await leaseOne(ctx, plan, candidates, failed, attempts > 0 ? leftMs() : undefined).catch((error: unknown) => {
      // The governor is unreachable (a 503 with Retry-After): nothing was admitted.
      if (plan.logRefusal !== false) finishCall(ctx, { ...recordOf(undefined, attempts + 1), status: error instanceof GatewayError ? error.status : 500, error: error instanceof Error ? error.message : String(error) });
      throw error;
    });
    if ("refused" in got) {
      // After a failover, no other deployment had a slot: the caller gets the failure that sent it
      // there (A's 500, not "B is full"), under the deployment that answered it.
      if (lastFailure) {
        const { attempt: a, deployment: d } = lastFailure;
        const result: CallResult<T> = { kind: "failed", error: a.error, retryAfterMs: a.summary.outcome.retryAfterMs, deployment: d.id, attempts };
        await plan.settle?.(result, d);
        return result;
      }
      const { d, reason, retryAfterMs } = got.refused;
      const error = refusalError(plan.lane, d, reason, retryAfterMs, candidates.length);
      const result: CallResult<T> = { kind: "refused", error, reason, retryAfterMs, deployment: d.id, attempts };
      const settled = await plan.settle?.(result, d);
      if (plan.logRefusal !== false && settled?.log !== false) finishCall(ctx, { ...recordOf(d, 1), status: settled?.status ?? error.status, error: settled?.error ?? error.message });
      return result;
    }
    const { lease, deployment } = got;
    const record = { ...recordOf(deployment, attempts + 1), startedAt: Date.now() };

    // Only a task's slot may be taken back (for a realtime call): listen at once, not only at the
    // next renew, and let that abort the attempt. A realtime call is never aborted for its lease.
    const revocable = plan.lane === "task";
    if (revocable) lease.watchRevocation();
    plan.onLease?.(lease, deployment);
    // While another deployment may follow, a hanging one is given up after half the time left.
    const more = attempts + 1 < maxAttempts && candidates.some((d) => d !== deployment && !failed.has(d.id));
    const budgetMs = more ? Math.max(1_000, leftMs() / 2) : undefined;
    const attempt = await attemptSafely(plan, deployment, revocable ? AbortSignal.any([ctx.signal, lease.lost]) : ctx.signal, budgetMs);

    // The slot was taken back (preempted, or the lease lost): the attempt teaches the governor nothing.
    if (revocable && lease.lost.aborted && !ctx.signal.aborted) {
      const released = lease.release();
      if (reruns++ < (plan.rerunsWhenPreempted ?? 0)) {
        ctx.waitUntil(released);
        continue;
      }
      const result: CallResult<T> = { kind: "slot_lost", preempted: lease.preempted, deployment: deployment.id, attempts: attempts + 1 };
      const settled = await plan.settle?.(result, deployment).finally(() => released);
      if (settled?.log !== false) finishCall(ctx, { ...record, status: settled?.status ?? 499, error: settled?.error ?? (lease.preempted ? "preempted" : "lease lost") });
      return result;
    }
    attempts++;

    failed.add(deployment.id);
    const another = candidates.some((d) => !failed.has(d.id));
    if (!attempt.ok && another && !ctx.signal.aborted && worthFailingOver(attempt.error) && attempts < maxAttempts && Date.now() - startedAt < FAILOVER_DEADLINE_MS) {
      // This deployment failed in a way another may not: release and log this attempt, and go on.
      ctx.waitUntil(lease.release(attempt.summary.outcome));
      finishCall(ctx, { ...record, status: attempt.summary.status, error: attempt.summary.error });
      // A deployment that asked for time (Retry-After) goes last for other calls until then.
      if (attempt.summary.outcome.retryAfterMs) noteCooling(deployment.governor, Date.now() + attempt.summary.outcome.retryAfterMs);
      lastFailure = { attempt, deployment };
      await scheduler.wait(failoverDelayMs(attempts));
      continue;
    }

    const result: CallResult<T> = attempt.ok
      ? { kind: "ok", value: attempt.value, deployment: deployment.id, attempts }
      : { kind: "failed", error: attempt.error, retryAfterMs: attempt.summary.outcome.retryAfterMs, deployment: deployment.id, attempts };
    const done = async (summary: Summary): Promise<void> => {
      // Release alongside the settling writes; a failed release only lets the lease expire.
      const released = lease.release(summary.outcome);
      // Kept alive past the response: what the governor answers (its view, a share's renewal) must land.
      ctx.waitUntil(released);
      const settled = await plan.settle?.(result, deployment).finally(() => released);
      if (settled?.log === false) return;
      finishCall(ctx, { ...record, status: settled?.status ?? summary.status, ttftMs: summary.ttftMs, usage: summary.usage, error: settled?.error ?? summary.error });
    };
    if (attempt.summary instanceof Promise) ctx.waitUntil(attempt.summary.then(done));
    else await done(attempt.summary);
    return result;
  }
}

/** The deployments the plan may use, each prepared (a 400 for what none of them can take). */
function preparedCandidates<T>(plan: CallPlan<T>, route: RoutePlan): Deployment[] {
  const allowed = plan.only ? route.deployments.filter(plan.only) : route.deployments;
  if (allowed.length === 0) throw new GatewayError("not_found", `no deployment of the model '${route.model}' matches`, { code: "deployment_not_found" });
  // Each attempt prepares its own deployment again just before it runs (see attemptSafely).
  return plan.prepare ? deploymentsThatFit(allowed, plan.prepare) : allowed;
}

/**
 * The deployments `prepare` accepts (the request's fields fit their provider); when none does,
 * the first deployment's reason is thrown (a 400 naming the field).
 */
export function deploymentsThatFit(deployments: Deployment[], prepare: (d: Deployment) => void): Deployment[] {
  const problems: unknown[] = [];
  const fit = deployments.filter((d) => {
    try {
      prepare(d);
      return true;
    } catch (error) {
      problems.push(error);
      return false;
    }
  });
  if (fit.length === 0) throw problems[0];
  return fit;
}

/**
 * A slot on some deployment: each untried one in order without waiting, then the first that is
 * not failing with the full wait (capped by `capMs`, the failover time left). A refusal says
 * which deployment refused and why; the caller decides what the call comes to.
 */
async function leaseOne<T>(ctx: CallContext, plan: CallPlan<T>, candidates: Deployment[], failed: Set<string>, capMs: number | undefined): Promise<{ lease: Slot; deployment: Deployment } | { refused: { d: Deployment; reason: RejectReason; retryAfterMs: number } }> {
  // Each deployment is tried at most once per call.
  const pool = candidates.filter((d) => !failed.has(d.id));
  const targetOf = (d: Deployment): LeaseTarget => ({ governor: d.governor, label: d.id, limits: d.provider.limits });
  // A realtime call first takes a free slot of this isolate's capacity share, if it holds one: no round trip.
  const shared = plan.lane === "realtime" && settings(ctx.env).CAPACITY_SHARES;
  const local = (d: Deployment) => (shared ? takeSharedSlot(ctx.env, targetOf(d), ctx.waitUntil, (view) => noteView(d.governor, view)) : undefined);
  const ask = async (d: Deployment, waitMs: number) => {
    const got = await requestLease(ctx.env, targetOf(d), { lane: plan.lane, tenant: ctx.caller.ownerId, tokens: plan.tokens, waitMs, taskId: plan.taskId, deadline: plan.deadline }, (view) => noteView(d.governor, view));
    if (shared && "lease" in got) noteGovernorSlot(ctx.env, targetOf(d), ctx.waitUntil, (view) => noteView(d.governor, view));
    return got;
  };
  const refusals: { d: Deployment; reason: RejectReason; retryAfterMs: number }[] = [];
  if (pool.length > 1) {
    for (const d of pool) {
      const slot = local(d);
      if (slot) return { lease: slot, deployment: d };
      const got = await ask(d, 0);
      if ("lease" in got) return { lease: got.lease, deployment: d };
      refusals.push({ d, reason: got.refused.reason, retryAfterMs: got.refused.retryAfterMs });
      if (got.refused.reason === "expired") return { refused: refusals.at(-1)! };
    }
  }
  const waitFor = pool.find((d) => !refusals.some((r) => r.d === d && r.reason === "breaker_open"));
  if (waitFor) {
    const slot = pool.length === 1 ? local(waitFor) : undefined;
    if (slot) return { lease: slot, deployment: waitFor };
    const waitMs = Math.max(0, Math.min(plan.waitMs, plan.deadline === undefined ? Infinity : plan.deadline - Date.now(), capMs ?? Infinity));
    const got = await ask(waitFor, waitMs);
    if ("lease" in got) return { lease: got.lease, deployment: waitFor };
    return { refused: { d: waitFor, reason: got.refused.reason, retryAfterMs: got.refused.retryAfterMs } };
  }
  // Every deployment's breaker is open: the soonest one to try again answers.
  return { refused: refusals.reduce((a, b) => (b.retryAfterMs < a.retryAfterMs ? b : a)) };
}

/**
 * The attempt, with whatever it throws (a token exchange that failed, a bug) turned into a failed
 * attempt: the slot is then released and the call logged like any failure.
 */
async function attemptSafely<T>(plan: CallPlan<T>, route: Deployment, signal: AbortSignal, budgetMs: number | undefined): Promise<Attempt<T>> {
  const startedAt = Date.now();
  try {
    plan.prepare?.(route);
    return await plan.attempt(route, signal, budgetMs);
  } catch (cause) {
    if (!(cause instanceof GatewayError)) console.error("call attempt threw", route.id, cause);
    const error = cause instanceof GatewayError ? cause : new GatewayError("internal", "the gateway failed while calling the provider", { code: "internal_error" });
    return { ok: false, error, summary: { status: error.status, error: error.message, outcome: { status: error.status, latencyMs: Date.now() - startedAt } } };
  }
}

/** The result as a value, or its error thrown (what an HTTP route answers with), with where the call went. */
export function valueOf<T>(result: CallResult<T>): T {
  if (result.kind === "ok") return result.value;
  if (result.kind === "slot_lost") throw new GatewayError("rate_limited", "preempted by realtime traffic too many times; retry later", { code: "task_preempted", retryAfter: 5, headers: routedHeaders(result) });
  throw new GatewayError(result.error.kind, result.error.message, { param: result.error.param, code: result.error.code, retryAfter: result.error.retryAfter, headers: { ...result.error.headers, ...routedHeaders(result) } });
}

/** `x-gateway-deployment` and `x-gateway-attempts` for a response. */
export function routedHeaders(routed: Routed): Record<string, string> {
  return { ...(routed.deployment ? { "x-gateway-deployment": routed.deployment } : {}), "x-gateway-attempts": String(routed.attempts) };
}

function refusalError(lane: Lane, d: Deployment, reason: RejectReason, retryAfterMs: number, deployments: number): GatewayError {
  const retryAfter = Math.max(1, retryAfterMs / 1000);
  const where = deployments > 1 ? `every deployment of the model '${d.model}'` : `provider '${d.provider.name}'`;
  if (reason === "expired") return new GatewayError("upstream_timeout", "the deadline passed before task capacity opened", { code: "deadline_exceeded" });
  if (reason === "breaker_open") {
    const failing = deployments > 1 ? `every deployment of the model '${d.model}' is failing` : `deployment '${d.id}' is failing`;
    return new GatewayError("upstream_unavailable", `${failing} (circuit breaker open); retry later`, { code: "deployment_unavailable", retryAfter });
  }
  if (lane === "task") {
    return new GatewayError("rate_limited", `no task capacity on ${where} right now; retry later or submit with POST /v1/tasks`, { code: "task_capacity_exceeded", retryAfter });
  }
  if (reason === "rate_limited") return new GatewayError("rate_limited", `${where} is at its configured request or token rate; retry later`, { code: "rate_limit_exceeded", retryAfter });
  return new GatewayError("rate_limited", `${where} is at capacity${deployments > 1 ? "" : ` (${d.provider.limits.maxConcurrency} concurrent calls)`}; retry later`, { code: "capacity_exceeded", retryAfter });
}
