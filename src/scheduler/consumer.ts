/**
 * The queue consumer for task jobs. A batch is worked by at most six runners at once (the
 * Workers limit on simultaneous upstream connections per invocation); each runner takes the
 * next message as soon as it is free, so a slow task never idles the others.
 */
import { database } from "../db/client.ts";
import { failTask } from "../db/tasks.ts";
import { deadLetters } from "../db/schema.ts";
import type { Bindings } from "../env.ts";
import { runTask } from "../tasks/run-task.ts";
import type { TaskMessage } from "../tasks/task-message.ts";

export const UPSTREAM_CALLS_PER_INVOCATION = 6;

export async function consumeTasks(batch: MessageBatch<TaskMessage>, env: Bindings): Promise<void> {
  const pending = [...batch.messages];
  const runner = async () => {
    for (let message = pending.shift(); message; message = pending.shift()) {
      try {
        if (typeof message.body?.taskId !== "string") {
          console.error("dropping a malformed task message", message.id);
        } else {
          await runTask(env, message.body.taskId);
        }
        message.ack();
      } catch (error) {
        // D1 or the governor failed: let the queue deliver it again later.
        console.error("task run failed; the queue will redeliver", message.body?.taskId, error);
        message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(UPSTREAM_CALLS_PER_INVOCATION, pending.length) }, runner));
}

/** Messages that exhausted their deliveries: recorded, and their task ended `failed` with the reason. */
export async function recordDeadLetters(batch: MessageBatch<TaskMessage>, env: Bindings): Promise<void> {
  const db = database(env.DB);
  for (const message of batch.messages) {
    const taskId = typeof message.body?.taskId === "string" ? message.body.taskId : null;
    await db.insert(deadLetters).values({ id: message.id, taskId, body: message.body ?? null, attempts: message.attempts, createdAt: Date.now() }).onConflictDoNothing();
    if (taskId) {
      await failTask(db, taskId, { message: "the task's queue message was dead-lettered after repeated delivery failures", type: "server_error", code: "dead_lettered" }, Date.now());
    }
    message.ack();
  }
}
