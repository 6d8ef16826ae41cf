/**
 * One task, from a held row to its outcome: wait in the governor for a task lease, claim the
 * row, call upstream while watching for preemption, then record the outcome exactly once.
 * A preempted run goes back to waiting without spending a try; capacity refusals wait with
 * jittered exponential back-off and are bounded; failures are retried a bounded number of times.
 */
import { attemptTimeoutMs, runCall, type CallResult, type Settled } from "../calls/call.ts";
import type { CallContext } from "../calls/call-context.ts";
import { chatTokens, completeChat, prepareChat, promptOf, type InboundChat, type PreparedChat } from "../calls/chat.ts";
import { ConfigError, GatewayError } from "../core/errors.ts";
import { newRequestId } from "../core/request-id.ts";
import { database, type Database } from "../db/client.ts";
import { cancelTask, claimTask, expireTask, failTask, findTaskToRun, finishRun, holdQueued, postponeTry, recordBrokenTry, releaseHold, requeueRun, TERMINAL, type TaskError, type TaskRow } from "../db/tasks.ts";
import { settings, type Bindings } from "../env.ts";
import { callCost } from "../pricing/price-book.ts";
import { usageFromOpenAI } from "../providers/stream-parser.ts";
import { planRoute } from "../routing/resolve.ts";
import type { Deployment } from "../routing/route-table.ts";
import type { RejectReason } from "../scheduler/policy.ts";
import { backoffMs } from "./backoff.ts";
import { ClaimKeeper } from "./claim-keeper.ts";
import { enqueueTask } from "./task-message.ts";
import { runnableBody } from "./task-request.ts";

/** What happened to the task in this invocation. */
export type RunResult = "succeeded" | "failed" | "retry_later" | "expired" | "cancelled" | "skipped";

/** Runs of one task allowed in one invocation (each preemption costs one) before it waits in line again. */
const MAX_RUNS_PER_DELIVERY = 20;

export interface RunContext {
  /** The runner's hold token: a task taken from D1 is already held with it. */
  hold?: string;
  /** The invocation's keeper of holds and runs; a private one when absent. */
  keeper?: ClaimKeeper;
  /** Where work after the outcome goes (log rows, releases); awaited before returning when absent. */
  waitUntil?: (work: Promise<unknown>) => void;
}

function asTaskError(error: { message: string; code?: string | null }, type = "upstream_error"): TaskError {
  return { message: error.message, type, code: error.code ?? null };
}

/**
 * Runs the task if it is still to do. A try the gateway cannot make for a reason of its own state
 * (the scheduler restarting, a provider misconfigured) is put off without counting; a try that
 * breaks on an unexpected error counts as a failed try.
 */
export async function runTask(env: Bindings, taskId: string, context: RunContext = {}): Promise<RunResult> {
  const db = database(env.DB);
  const keeper = context.keeper ?? new ClaimKeeper(db);
  const hold = context.hold ?? `hold:${crypto.randomUUID()}`;
  const tokens = { hold, run: undefined as string | undefined };
  keeper.keep(hold);
  try {
    return await runHeld(env, db, taskId, tokens, keeper, context.waitUntil);
  } catch (error) {
    const ours = [hold, ...(tokens.run ? [tokens.run] : [])];
    const now = Date.now();
    // The request itself cannot go to this model's provider (a field it cannot take): it never will.
    if (error instanceof GatewayError && error.status >= 400 && error.status < 500 && error.status !== 429) {
      await failTask(db, taskId, asTaskError(error, "invalid_request_error"), now);
      return "failed";
    }
    if (error instanceof GatewayError || error instanceof ConfigError) {
      console.error("task try put off: the gateway cannot make it now", taskId, error.message);
      // A configuration's detail is for the operator's log, not for the task's owner.
      const reason = error instanceof ConfigError ? { message: "the gateway is misconfigured; its operator must fix it", type: "server_error", code: "gateway_misconfigured" } : asTaskError(error, "server_error");
      await postponeTry(db, taskId, ours, reason, now + backoffMs(5), now);
    } else {
      console.error("task try broke; counted as a failed try", taskId, error);
      const reason = { message: error instanceof Error ? error.message : String(error), type: "server_error", code: "internal_error" };
      await recordBrokenTry(db, taskId, ours, reason, { maxFailures: settings(env).TASK_MAX_ATTEMPTS, availableAt: now + backoffMs(3) }, now);
    }
    return "retry_later";
  } finally {
    keeper.drop(hold);
    if (tokens.run) keeper.drop(tokens.run);
    if (!context.keeper) keeper.stop();
  }
}

async function runHeld(env: Bindings, db: Database, taskId: string, tokens: { hold: string; run: string | undefined }, keeper: ClaimKeeper, waitUntil: RunContext["waitUntil"]): Promise<RunResult> {
  const { TASK_WAIT_MS, UPSTREAM_TIMEOUT_MS } = settings(env);
  const { hold } = tokens;

  for (let run = 0; run < MAX_RUNS_PER_DELIVERY; run++) {
    const found = await findTaskToRun(db, taskId);
    // A duplicate wake-up for a task that ended or runs elsewhere does nothing (a lapsed run is the sweeper's).
    if (!found || TERMINAL.includes(found.row.status) || found.row.status === "running") return "skipped";
    const { row } = found;
    const now = Date.now();
    // Its owner was disabled or deleted (maybe after submitting through a key another isolate still trusted).
    if (!found.ownerActive) {
      await cancelTask(db, taskId, now);
      return "cancelled";
    }
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
    // Held before anything that may break, so a broken try is always this runner's to record.
    const heldByUs = row.runId === hold && (row.leaseUntil ?? 0) > now;
    if (!heldByUs && !(await holdQueued(db, taskId, hold, ClaimKeeper.until(now), now))) return "skipped";
    const inbound: InboundChat = { dialect: "openai", body: { ...runnable.body, stream: false } };
    // A model no longer served is a 404 here, and the task fails with it (see runTask).
    const route = await planRoute(env, row, { model: row.model, prompt: () => promptOf(inbound) });

    let prepared: PreparedChat | undefined;
    const runId = crypto.randomUUID();
    // A task run answers no HTTP request: its log rows carry an id of the run's own.
    const runRequestId = newRequestId();
    const notOurs = new AbortController();
    let claimed: Promise<boolean> = Promise.resolve(false);
    // Set by `settle`; a run that never settles (its claim lost) skips.
    let outcome = "skipped" as RunResult | "rerun";
    const pending: Promise<unknown>[] = [];
    const ctx: CallContext = { env, caller: row, waitUntil: waitUntil ?? ((work) => void pending.push(work)), signal: NEVER, endpoint: "tasks", requestId: runRequestId };
    await runCall(ctx, {
      model: row.model,
      route,
      lane: "task",
      stream: false,
      tokens: chatTokens(inbound),
      waitMs: TASK_WAIT_MS,
      deadline: row.deadline ?? undefined,
      taskId,
      logRefusal: false,
      prepare: (r) => void (prepared = prepareChat(inbound, r)),
      onLease: () => {
        // A failover's next lease runs under the claim the first one made.
        if (tokens.run === runId) return;
        tokens.run = runId;
        keeper.keep(runId, () => notOurs.abort(new Error("the task's claim was lost")));
        // Claim the row while the call starts, so the slot does not idle on a D1 write. A failed
        // claim (cancelled meanwhile, taken by another run, or D1 failing) aborts the call; the
        // request may already have reached the provider, and its answer is then dropped.
        const at = Date.now();
        claimed = claimTask(db, taskId, hold, runId, ClaimKeeper.until(at), at)
          .catch((error) => (console.error("task claim failed", taskId, error), false))
          .then((ok) => (ok || notOurs.abort(new Error("task no longer ours")), ok));
      },
      attempt: (r, signal, budget) => completeChat(env, inbound, r, prepared!, AbortSignal.any([signal, notOurs.signal]), attemptTimeoutMs(UPSTREAM_TIMEOUT_MS, budget)),
      settle: async (result, route) => {
        if (result.kind === "refused") {
          outcome = await settleRefusal(env, db, taskId, hold, result.reason, result.retryAfterMs);
          return { log: false };
        }
        if (!(await claimed)) return { log: false };
        const settled = await settleRun(env, db, row, runId, result, route);
        outcome = settled.outcome;
        return settled.log;
      },
    });
    await Promise.all(pending);
    if (tokens.run) keeper.drop(tokens.run);
    tokens.run = undefined;
    if (outcome !== "rerun") return outcome;
  }
  await enqueueTask(env.TASK_QUEUE, taskId);
  return "retry_later";
}

/** A task run needs no caller signal: only its lease or its claim can stop it. */
const NEVER = new AbortController().signal;

/** No slot within the wait: the task waits again (or expires, when its deadline passed meanwhile). */
async function settleRefusal(env: Bindings, db: Database, taskId: string, hold: string, reason: RejectReason, retryAfterMs: number): Promise<RunResult> {
  const at = Date.now();
  if (reason === "expired") {
    await releaseHold(db, taskId, hold, at, at);
    await expireTask(db, taskId, at);
    return "expired";
  }
  // Come back after the governor's hint, jittered so tasks refused together do not return together.
  const delayMs = backoffMs(2, retryAfterMs);
  await releaseHold(db, taskId, hold, at + delayMs, at);
  await enqueueTask(env.TASK_QUEUE, taskId, delayMs / 1000);
  return "retry_later";
}

/** Writes what one run's call came to; "rerun" when the slot was taken back and the task should run again now. */
async function settleRun(env: Bindings, db: Database, row: TaskRow, runId: string, result: CallResult<Record<string, unknown>>, route: Deployment | undefined): Promise<{ outcome: RunResult | "rerun"; log: Settled }> {
  const { TASK_MAX_ATTEMPTS, TASK_MAX_CAPACITY_RETRIES } = settings(env);
  const finished = Date.now();
  if (result.kind === "slot_lost") {
    await requeueRun(db, row.id, runId, { cause: result.preempted ? "preempted" : "lost", availableAt: finished }, finished);
    return { outcome: "rerun", log: undefined };
  }
  if (result.kind === "ok") {
    const usage = result.value.usage;
    const cost = await callCost(env, [route?.upstreamModel, row.model], usage && typeof usage === "object" ? usageFromOpenAI(usage as Record<string, unknown>) : undefined, "task").catch(() => undefined);
    const written = await finishRun(db, row.id, runId, { status: "succeeded", result: result.value, costUsd: cost?.usd ?? null }, finished);
    // Only the run that still holds the task records a result; a superseded run's answer is dropped.
    return written ? { outcome: "succeeded", log: undefined } : { outcome: "skipped", log: { status: 409, error: "result discarded: the task was no longer this run's" } };
  }
  if (result.kind !== "failed") return { outcome: "skipped", log: { log: false } };
  const error = result.error;
  // Capacity signals (429, 503) are the provider's state, not the task's fault: wait and retry,
  // a bounded number of times, never sooner than the provider's Retry-After.
  if (error.status === 429 || error.status === 503) {
    const refusals = row.capacityRetries + 1;
    if (refusals > TASK_MAX_CAPACITY_RETRIES) {
      const gaveUp = { ...asTaskError(error), message: `gave up after ${refusals} capacity refusals (last from '${result.deployment}'); the last: ${error.message}` };
      await finishRun(db, row.id, runId, { status: "failed", error: gaveUp, capacityRefusal: true }, finished);
      return { outcome: "failed", log: undefined };
    }
    const delayMs = backoffMs(row.capacityRetries, result.retryAfterMs ?? 0);
    await requeueRun(db, row.id, runId, { cause: "capacity", error: asTaskError(error), availableAt: finished + delayMs }, finished);
    await enqueueTask(env.TASK_QUEUE, row.id, delayMs / 1000);
    return { outcome: "retry_later", log: undefined };
  }
  const clientFault = error.status >= 400 && error.status < 500;
  const failures = row.attempts - row.capacityRetries + 1;
  if (clientFault || failures >= TASK_MAX_ATTEMPTS) {
    await finishRun(db, row.id, runId, { status: "failed", error: asTaskError(error, clientFault ? "invalid_request_error" : "upstream_error") }, finished);
    return { outcome: "failed", log: undefined };
  }
  const delayMs = backoffMs(failures);
  await requeueRun(db, row.id, runId, { cause: "failure", error: asTaskError(error), availableAt: finished + delayMs }, finished);
  await enqueueTask(env.TASK_QUEUE, row.id, delayMs / 1000);
  return { outcome: "retry_later", log: undefined };
}
