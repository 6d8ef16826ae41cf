/**
 * One task, from a held row to its outcome: wait in the governor for a task lease, claim the
 * row, call upstream while watching for preemption, then record the outcome exactly once.
 * A preempted run goes back to waiting without spending a try; capacity refusals wait with
 * jittered exponential back-off and are bounded; failures are retried a bounded number of times.
 */
import { logCall } from "../calls/call-log.ts";
import { completeChat, type ChatResult } from "../calls/upstream-chat.ts";
import type { GatewayError } from "../core/errors.ts";
import { estimateTokens } from "../core/usage.ts";
import { database, type Database } from "../db/client.ts";
import { claimTask, expireTask, failTask, findTask, finishRun, holdQueued, recordBrokenTry, releaseHold, requeueRun, TERMINAL, type TaskError, type TaskRow } from "../db/tasks.ts";
import { settings, type Bindings } from "../env.ts";
import { routeModel, type ModelRoute } from "../providers/registry.ts";
import { requestLease, type Lease } from "../scheduler/lease.ts";
import { backoffMs } from "./backoff.ts";
import { ClaimKeeper } from "./claim-keeper.ts";
import { enqueueTask } from "./task-message.ts";
import { runnableBody } from "./task-request.ts";

/** What happened to the task in this invocation. */
export type RunResult = "succeeded" | "failed" | "retry_later" | "expired" | "skipped";

/** Runs of one task allowed in one invocation (each preemption costs one) before it waits in line again. */
const MAX_RUNS_PER_DELIVERY = 20;

export interface RunContext {
  /** The runner's hold token: a task taken from D1 is already held with it. */
  hold?: string;
  /** The invocation's keeper of holds and runs; a private one when absent. */
  keeper?: ClaimKeeper;
}

function asTaskError(error: { message: string; code?: string | null }, type = "upstream_error"): TaskError {
  return { message: error.message, type, code: error.code ?? null };
}

/** Runs the task if it is still to do. A try that breaks on the gateway's side counts as a failed try. */
export async function runTask(env: Bindings, taskId: string, context: RunContext = {}): Promise<RunResult> {
  const db = database(env.DB);
  const keeper = context.keeper ?? new ClaimKeeper(db);
  const hold = context.hold ?? `hold:${crypto.randomUUID()}`;
  const tokens = { hold, run: undefined as string | undefined };
  keeper.keep(hold);
  try {
    return await runHeld(env, db, taskId, tokens, keeper);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error("task try broke; counted as a failed try", taskId, error);
    const { TASK_MAX_ATTEMPTS } = settings(env);
    const code = (error as Partial<GatewayError>).code ?? "internal_error";
    await recordBrokenTry(db, taskId, [hold, ...(tokens.run ? [tokens.run] : [])], { message, type: "server_error", code }, { maxFailures: TASK_MAX_ATTEMPTS, availableAt: Date.now() + backoffMs(1) }, Date.now());
    return "retry_later";
  } finally {
    keeper.drop(hold);
    if (tokens.run) keeper.drop(tokens.run);
    if (!context.keeper) keeper.stop();
  }
}

async function runHeld(env: Bindings, db: Database, taskId: string, tokens: { hold: string; run: string | undefined }, keeper: ClaimKeeper): Promise<RunResult> {
  const { TASK_WAIT_MS, UPSTREAM_TIMEOUT_MS } = settings(env);
  const { hold } = tokens;

  for (let run = 0; run < MAX_RUNS_PER_DELIVERY; run++) {
    const row = await findTask(db, taskId);
    // A duplicate wake-up for a task that ended, runs, or is held by another runner does nothing.
    if (!row || TERMINAL.includes(row.status)) return "skipped";
    const now = Date.now();
    if (row.status === "running" && (row.leaseUntil ?? 0) > now) return "skipped";
    if (row.deadline !== null && row.deadline <= now) {
      await expireTask(db, taskId, now);
      return "expired";
    }
    // A task that can never run ends failed with the reason now, not expired at its deadline.
    const runnable = runnableBody(row.request);
    if (!runnable.ok) {
      await failTask(db, taskId, { message: runnable.reason, type: "invalid_request_error", code: "invalid_task" }, now);
      return "failed";
    }
    const route = await routeModel(env, row.model);
    if (!route) {
      await failTask(db, taskId, { message: `the model '${row.model}' is no longer served`, type: "invalid_request_error", code: "model_not_found" }, now);
      return "failed";
    }
    const heldByUs = row.runId === hold && (row.leaseUntil ?? 0) > now;
    if (row.status === "queued" && !heldByUs && !(await holdQueued(db, taskId, hold, ClaimKeeper.until(now), now))) return "skipped";

    const body = runnable.body;
    const waitMs = Math.min(TASK_WAIT_MS, row.deadline === null ? TASK_WAIT_MS : row.deadline - now);
    const got = await requestLease(env, route.provider, { lane: "task", tenant: row.ownerId, taskId, deadline: row.deadline ?? undefined, tokens: estimateTokens(body), waitMs });
    if ("refused" in got) {
      const at = Date.now();
      if (got.refused.reason === "expired") {
        await releaseHold(db, taskId, hold, at, at);
        await expireTask(db, taskId, at);
        return "expired";
      }
      // No headroom within the wait: let go, and come back after the governor's hint, jittered so
      // the tasks refused together do not all come back together.
      const delayMs = backoffMs(2, got.refused.retryAfterMs);
      await releaseHold(db, taskId, hold, at + delayMs, at);
      await enqueueTask(env.TASK_QUEUE, taskId, delayMs / 1000);
      return "retry_later";
    }

    const lease = got.lease;
    lease.watchRevocation();
    const runId = crypto.randomUUID();
    tokens.run = runId;
    keeper.keep(runId);
    const startedAt = Date.now();
    const notOurs = new AbortController();
    // Claim the row while the call starts, so the slot does not idle on a D1 write; a failed claim
    // (cancelled meanwhile, taken by another run, or D1 failing) aborts the call before it does work.
    const claimed = claimTask(db, taskId, hold, runId, ClaimKeeper.until(startedAt), startedAt)
      .catch((error) => (console.error("task claim failed", taskId, error), false))
      .then((ok) => (ok || notOurs.abort(new Error("task no longer ours")), ok));
    const result = await completeChat(route, body, AbortSignal.any([notOurs.signal, lease.lost]), UPSTREAM_TIMEOUT_MS);
    if (!(await claimed)) {
      await lease.release({ status: 499, latencyMs: Date.now() - startedAt });
      return "skipped";
    }
    const outcome = await recordOutcome(env, db, row, route, runId, lease, result, startedAt);
    keeper.drop(runId);
    tokens.run = undefined;
    if (outcome !== "rerun") return outcome;
  }
  await enqueueTask(env.TASK_QUEUE, taskId);
  return "retry_later";
}

/** Writes what one run's call came to; "rerun" when the slot was taken back and the task should run again now. */
async function recordOutcome(env: Bindings, db: Database, row: TaskRow, route: ModelRoute, runId: string, lease: Lease, result: ChatResult, startedAt: number): Promise<RunResult | "rerun"> {
  const { TASK_MAX_ATTEMPTS, TASK_MAX_CAPACITY_RETRIES } = settings(env);
  const finished = Date.now();
  // The slot was taken back (preempted, or the lease lost): the call teaches the governor nothing.
  const slotLost = lease.lost.aborted;
  // Record the outcome while the release runs alongside; a failed release only lets the lease expire.
  const released = lease.release(slotLost ? undefined : result.outcome);
  const log = (status: number, error?: string) =>
    logCall(env, row, { endpoint: "tasks", taskId: row.id, model: row.model, provider: route.provider.name, lane: "task", stream: false, status, startedAt, usage: result.ok ? result.completion.usage : undefined, error });
  try {
    if (slotLost) {
      await requeueRun(db, row.id, runId, { cause: lease.preempted ? "preempted" : "lost", availableAt: finished }, finished);
      await log(499, lease.preempted ? "preempted" : "lease lost");
      return "rerun";
    }
    if (result.ok) {
      const written = await finishRun(db, row.id, runId, { status: "succeeded", result: result.completion }, finished);
      // Only the run that still holds the task records a result; a superseded run's answer is dropped.
      await log(written ? 200 : 409, written ? undefined : "result discarded: the task was no longer this run's");
      return written ? "succeeded" : "skipped";
    }
    const error = result.error;
    await log(error.status, error.message);
    // Capacity signals (429, 503) are the provider's state, not the task's fault: wait and retry,
    // a bounded number of times, never sooner than the provider's Retry-After.
    if (error.status === 429 || error.status === 503) {
      const refusals = row.capacityRetries + 1;
      if (refusals > TASK_MAX_CAPACITY_RETRIES) {
        const gaveUp = { ...asTaskError(error), message: `gave up after ${refusals} capacity refusals from provider '${route.provider.name}'; the last: ${error.message}` };
        await finishRun(db, row.id, runId, { status: "failed", error: gaveUp, capacityRefusal: true }, finished);
        return "failed";
      }
      const delayMs = backoffMs(row.capacityRetries, result.outcome.retryAfterMs ?? 0);
      await requeueRun(db, row.id, runId, { cause: "capacity", error: asTaskError(error), availableAt: finished + delayMs }, finished);
      await enqueueTask(env.TASK_QUEUE, row.id, delayMs / 1000);
      return "retry_later";
    }
    const clientFault = error.status >= 400 && error.status < 500;
    const failures = row.attempts - row.capacityRetries + 1;
    if (clientFault || failures >= TASK_MAX_ATTEMPTS) {
      await finishRun(db, row.id, runId, { status: "failed", error: asTaskError(error, clientFault ? "invalid_request_error" : "upstream_error") }, finished);
      return "failed";
    }
    const delayMs = backoffMs(failures);
    await requeueRun(db, row.id, runId, { cause: "failure", error: asTaskError(error), availableAt: finished + delayMs }, finished);
    await enqueueTask(env.TASK_QUEUE, row.id, delayMs / 1000);
    return "retry_later";
  } finally {
    await released;
  }
}
