/**
 * The queue consumer for task jobs. Messages are wake-ups: the work is the due tasks in D1.
 * Runners each hold the next due task, earliest deadline first and taking turns between tenants,
 * run it, and take the next, until nothing is due. Each run is its own invocation of the
 * `TaskRunner` entrypoint where the runtime offers one (`ctx.exports`), so `TASK_RUNNERS` runs go
 * at once, each waiting in its deployment's governor for a task slot; without it, runs stay in
 * this invocation, six at a time (the Workers limit on simultaneous upstream connections per
 * invocation). A lost or duplicated message therefore loses nothing and runs nothing twice; the
 * sweeper sends a wake-up when due tasks wait with nobody on them.
 */
import { database } from "../db/client.ts";
import { deadLetters } from "../db/schema.ts";
import { holdNextDue } from "../db/tasks.ts";
import { settings, type Bindings } from "../env.ts";
import { ORDER } from "../scheduler/task-order.ts";
import { ClaimKeeper } from "./claim-keeper.ts";
import { runTask, type RunResult } from "./run-task.ts";
import type { TaskMessage } from "./task-message.ts";

export const UPSTREAM_CALLS_PER_INVOCATION = 6;
/** How long one invocation keeps taking due tasks. */
const DRAIN_BUDGET_MS = 5 * 60_000;

/** Runs a held task somewhere: in its own invocation, or in this one. */
export type TaskRun = (taskId: string, hold: string) => Promise<RunResult>;

/** How this invocation runs tasks, and how many at once. */
export function taskRunsOf(env: Bindings, ctx: ExecutionContext): { run: TaskRun | undefined; runners: number } {
  const runner = (ctx as Partial<ExecutionContext>).exports?.TaskRunner;
  if (runner) return { run: (taskId, hold) => runner.run(taskId, hold), runners: settings(env).TASK_RUNNERS };
  return { run: undefined, runners: UPSTREAM_CALLS_PER_INVOCATION };
}

export async function consumeTasks(batch: MessageBatch<TaskMessage>, env: Bindings, fanOut: { run: TaskRun | undefined; runners: number } = { run: undefined, runners: UPSTREAM_CALLS_PER_INVOCATION }): Promise<void> {
  const db = database(env.DB);
  const keeper = new ClaimKeeper(db);
  const until = Date.now() + DRAIN_BUDGET_MS;
  const run: TaskRun = fanOut.run ?? ((taskId, hold) => runTask(env, taskId, { hold, keeper }));
  const runner = async () => {
    while (Date.now() < until) {
      const hold = `hold:${crypto.randomUUID()}`;
      const now = Date.now();
      const taskId = await holdNextDue(db, hold, ClaimKeeper.until(now), now, ORDER.urgentWithinMs);
      if (!taskId) return;
      await run(taskId, hold);
    }
  };
  // Every runner finishes its task before the invocation ends, even when another one fails.
  const runs = await Promise.allSettled(Array.from({ length: fanOut.runners }, runner));
  keeper.stop();
  const failure = runs.find((r) => r.status === "rejected");
  // D1 failed under a runner: the throw lets the queue deliver the wake-ups again.
  if (failure) throw failure.reason;
  for (const message of batch.messages) message.ack();
}

/**
 * Wake-ups that exhausted their deliveries (D1 kept failing) are recorded for operators. Their
 * tasks are not failed: a wake-up says nothing about its task, and the sweeper wakes it again.
 */
export async function recordDeadLetters(batch: MessageBatch<TaskMessage>, env: Bindings): Promise<void> {
  const db = database(env.DB);
  for (const message of batch.messages) {
    const taskId = typeof message.body?.taskId === "string" ? message.body.taskId : null;
    await db.insert(deadLetters).values({ id: message.id, taskId, body: message.body ?? null, attempts: message.attempts, createdAt: Date.now() }).onConflictDoNothing();
    message.ack();
  }
}
