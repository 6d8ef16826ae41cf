/**
 * One task, from a held row to its outcome: wait in the governor for a task lease, claim the
 * row, call upstream while watching for preemption, then record the outcome exactly once.
 * A preempted run goes back to waiting without spending an attempt.
 */
import { logCall } from "../calls/call-log.ts";
import { completeChat } from "../calls/upstream-chat.ts";
import { estimateTokens } from "../core/usage.ts";
import { database } from "../db/client.ts";
import { claimTask, expireTask, extendRun, failTask, findTask, finishRun, holdQueued, releaseHold, requeueRun, TERMINAL, type TaskError } from "../db/tasks.ts";
import { settings, type Bindings } from "../env.ts";
import { routeModel } from "../providers/registry.ts";
import { requestLease } from "../scheduler/lease.ts";
import { enqueueTask } from "./task-message.ts";
import { runnableBody } from "./task-request.ts";

/** What happened to the task in this invocation. */
export type RunResult = "succeeded" | "failed" | "retry_later" | "expired" | "skipped";

/** Runs of one task allowed in one invocation before it is handed back to the queue. */
const MAX_RUNS_PER_DELIVERY = 20;
/** Grace over the governor wait so a held task is never swept. */
const HOLD_GRACE_MS = 30_000;
const RUN_LEASE_MS = 30_000;

function asTaskError(error: { message: string; code?: string | null }, type = "upstream_error"): TaskError {
  return { message: error.message, type, code: error.code ?? null };
}

/**
 * Runs the task if it is still to do. `hold` is the runner's token: a task taken from D1 is
 * already held with it; a task from a queue message is held with it here.
 */
export async function runTask(env: Bindings, taskId: string, hold: string = `hold:${crypto.randomUUID()}`): Promise<RunResult> {
  const db = database(env.DB);
  const { TASK_WAIT_MS, UPSTREAM_TIMEOUT_MS, TASK_MAX_ATTEMPTS, TASK_QUEUE_WINDOW_MS } = settings(env);

  for (let run = 0; run < MAX_RUNS_PER_DELIVERY; run++) {
    const row = await findTask(db, taskId);
    // A duplicate delivery of a task that ended, runs, or is held by another runner does nothing.
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
    const body = runnable.body;
    const route = await routeModel(env, row.model);
    if (!route) {
      await failTask(db, taskId, { message: `the model '${row.model}' is no longer served`, type: "invalid_request_error", code: "model_not_found" }, now);
      return "failed";
    }
    const waitMs = Math.min(TASK_WAIT_MS, row.deadline === null ? TASK_WAIT_MS : row.deadline - now);
    // A task taken from D1 by the drain already carries this hold; one from a queue message is held here.
    const heldByUs = row.runId === hold && (row.leaseUntil ?? 0) > now + waitMs;
    if (row.status === "queued" && !heldByUs && !(await holdQueued(db, taskId, hold, now + waitMs + HOLD_GRACE_MS, now))) return "skipped";

    const got = await requestLease(env, route.provider, { lane: "task", tenant: row.ownerId, taskId, deadline: row.deadline ?? undefined, tokens: estimateTokens(body), waitMs });
    if ("refused" in got) {
      if (got.refused.reason === "expired") {
        await releaseHold(db, taskId, hold, Date.now(), Date.now() + TASK_QUEUE_WINDOW_MS, Date.now());
        await expireTask(db, taskId, Date.now());
        return "expired";
      }
      // No headroom within the wait: let go, due again after the governor's hint.
      const delayMs = Math.max(1000, got.refused.retryAfterMs);
      const at = Date.now();
      await releaseHold(db, taskId, hold, at + delayMs, at + delayMs + TASK_QUEUE_WINDOW_MS, at);
      await enqueueTask(env.TASK_QUEUE, taskId, delayMs / 1000);
      return "retry_later";
    }
    const lease = got.lease;
    lease.watchRevocation();
    const runId = crypto.randomUUID();
    const startedAt = Date.now();
    const notOurs = new AbortController();
    // Claim the row while the call starts, so the slot does not idle on a D1 write; a failed claim
    // (cancelled meanwhile, taken by another run, or D1 failing) aborts the call before it does work.
    const claimed = claimTask(db, taskId, hold, runId, startedAt + RUN_LEASE_MS, startedAt)
      .catch((error) => (console.error("task claim failed", taskId, error), false))
      .then((ok) => (ok || notOurs.abort(new Error("task no longer ours")), ok));
    const keepRun = setInterval(() => void extendRun(db, taskId, runId, Date.now() + RUN_LEASE_MS).catch(() => {}), RUN_LEASE_MS / 3);
    const result = await completeChat(route, body, AbortSignal.any([notOurs.signal, lease.lost]), UPSTREAM_TIMEOUT_MS).finally(() => clearInterval(keepRun));
    if (!(await claimed)) {
      await lease.release({ status: 499, latencyMs: Date.now() - startedAt });
      return "skipped";
    }
    const finished = Date.now();
    // The slot was taken back (preempted, or the lease lost): the call teaches the governor nothing.
    const slotLost = lease.lost.aborted;
    // Record the outcome while the release runs alongside; a failed release only lets the lease expire.
    const released = lease.release(slotLost ? undefined : result.outcome);
    try {
      const log = (status: number, error?: string) =>
        logCall(env, row, { endpoint: "tasks", taskId, model: row.model, provider: route.provider.name, lane: "task", stream: false, status, startedAt, usage: result.ok ? result.completion.usage : undefined, error });
      if (slotLost) {
        await requeueRun(db, taskId, runId, { cause: lease.preempted ? "preempted" : "capacity", availableAt: finished, until: finished + TASK_QUEUE_WINDOW_MS }, finished);
        await log(499, lease.preempted ? "preempted" : "lease lost");
        continue;
      }
      if (result.ok) {
        const written = await finishRun(db, taskId, runId, { status: "succeeded", result: result.completion }, finished);
        // Only the run that still holds the task records a result; a superseded run's answer is dropped.
        await log(written ? 200 : 409, written ? undefined : "result discarded: the task was no longer this run's");
        return written ? "succeeded" : "skipped";
      }
      const error = result.error;
      await log(error.status, error.message);
      // Capacity signals (429, 503) are the provider's state, not the task's fault: wait, no attempt spent.
      const capacity = error.status === 429 || error.status === 503;
      const clientFault = error.status >= 400 && error.status < 500 && !capacity;
      if (clientFault || (!capacity && row.attempts + 1 >= TASK_MAX_ATTEMPTS)) {
        await finishRun(db, taskId, runId, { status: "failed", error: asTaskError(error, clientFault ? "invalid_request_error" : "upstream_error") }, finished);
        return "failed";
      }
      const delayMs = capacity ? Math.max(1000, result.outcome.retryAfterMs ?? 1000) : Math.min(60, 2 ** (row.attempts + 1)) * 1000;
      await requeueRun(db, taskId, runId, { cause: capacity ? "capacity" : "failure", error: asTaskError(error), availableAt: finished + delayMs, until: finished + delayMs + TASK_QUEUE_WINDOW_MS }, finished);
      await enqueueTask(env.TASK_QUEUE, taskId, delayMs / 1000);
      return "retry_later";
    } finally {
      await released;
    }
  }
  await enqueueTask(env.TASK_QUEUE, taskId);
  return "retry_later";
}
