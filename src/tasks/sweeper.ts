/**
 * The safety net for task durability: local Queues keep messages in memory and any message can be
 * lost, and an invocation can die holding tasks. Each pass expires overdue tasks, lets go of
 * holds and runs whose keeper stopped, and wakes a consumer when due tasks wait untaken.
 */
import { database } from "../db/client.ts";
import { sweepTasks } from "../db/tasks.ts";
import { settings, type Bindings } from "../env.ts";
import { enqueueTask } from "./task-message.ts";

/** One pass over every open task; returns how many are still open (queued or running). */
export async function sweepOnce(env: Bindings, now = Date.now()): Promise<{ expired: number; reclaimed: number; due: number; open: number }> {
  const result = await sweepTasks(database(env.DB), now, settings(env).TASK_MAX_ATTEMPTS);
  if (result.due > 0 || result.reclaimed > 0) await enqueueTask(env.TASK_QUEUE);
  if (result.reclaimed || result.expired) console.log(`task sweep: reclaimed ${result.reclaimed}, expired ${result.expired}, ${result.due} due`);
  return result;
}
