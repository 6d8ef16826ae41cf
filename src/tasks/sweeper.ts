/**
 * The safety net for task durability: local Queues keep messages in memory and any message can
 * be lost, so each governor periodically re-enqueues its provider's tasks whose accounting window
 * ran out, and expires those whose deadline passed unrun.
 */
import { database } from "../db/client.ts";
import { sweepStuck } from "../db/tasks.ts";
import { settings, type Bindings } from "../env.ts";
import { enqueueTask } from "./task-message.ts";

/** Sweeps one provider's tasks; returns how many are still open (queued or running). */
export async function sweepProviderTasks(env: Bindings, provider: string, now = Date.now()): Promise<{ requeued: number; expired: number; open: number }> {
  const { TASK_QUEUE_WINDOW_MS } = settings(env);
  const { requeue, expired, open } = await sweepStuck(database(env.DB), provider, now, TASK_QUEUE_WINDOW_MS);
  for (const id of requeue) await enqueueTask(env.TASK_QUEUE, id);
  if (requeue.length || expired) console.log(`sweeper ${provider}: re-enqueued ${requeue.length}, expired ${expired}`);
  return { requeued: requeue.length, expired, open };
}
