/**
 * The queue consumer for task jobs. At most six runners work at once (the Workers limit on
 * simultaneous upstream connections per invocation). Each takes the batch's messages first; when
 * they are used up it keeps going with the most urgent due task in D1 (earliest deadline first),
 * so no runner idles while work waits, and the backlog runs in deadline order, not queue order.
 * Messages are wake-up calls: a task already run, running or held elsewhere is skipped.
 */
import { database } from "../db/client.ts";
import { failTask, holdNextDue } from "../db/tasks.ts";
import { deadLetters } from "../db/schema.ts";
import { settings, type Bindings } from "../env.ts";
import { runTask } from "../tasks/run-task.ts";
import type { TaskMessage } from "../tasks/task-message.ts";

export const UPSTREAM_CALLS_PER_INVOCATION = 6;
/** How long one invocation keeps taking work from D1 after its own messages. */
const DRAIN_BUDGET_MS = 5 * 60_000;

export async function consumeTasks(batch: MessageBatch<TaskMessage>, env: Bindings): Promise<void> {
  const pending = [...batch.messages];
  const db = database(env.DB);
  const { TASK_WAIT_MS } = settings(env);
  const drainUntil = Date.now() + DRAIN_BUDGET_MS;

  const runner = async () => {
    for (let message = pending.shift(); message; message = pending.shift()) {
      try {
        if (typeof message.body?.taskId === "string") await runTask(env, message.body.taskId);
        else console.error("dropping a malformed task message", message.id);
        message.ack();
      } catch (error) {
        // D1 or the governor failed: let the queue deliver it again later.
        console.error("task run failed; the queue will redeliver", message.body?.taskId, error);
        message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
      }
    }
    while (Date.now() < drainUntil) {
      const hold = `hold:${crypto.randomUUID()}`;
      const now = Date.now();
      const taskId = await holdNextDue(db, hold, now + TASK_WAIT_MS + 30_000, now).catch(() => undefined);
      if (!taskId) return;
      await runTask(env, taskId, hold).catch((error) => console.error("task run failed; the sweeper will retry", taskId, error));
    }
  };
  await Promise.all(Array.from({ length: UPSTREAM_CALLS_PER_INVOCATION }, runner));
}

/** Messages that exhausted their deliveries: recorded, and their task ended `failed` with the reason. */
export async function recordDeadLetters(batch: MessageBatch<TaskMessage>, env: Bindings): Promise<void> {
  const db = database(env.DB);
  for (const message of batch.messages) {
    const taskId = typeof message.body?.taskId === "string" ? message.body.taskId : null;
    await db.insert(deadLetters).values({ id: message.id, taskId, body: message.body ?? null, attempts: message.attempts, createdAt: Date.now() }).onConflictDoNothing();
    if (taskId) {
      await failTask(db, taskId, { message: "the task's queue message was dead-lettered after repeated delivery failures", type: "server_error", code: "dead_lettered" }, Date.now(), { onlyIfIdle: true });
    }
    message.ack();
  }
}
