/** What travels on the task queue: the task id only; the body stays in D1. */
export interface TaskMessage {
  taskId: string;
}

/** Sends a task id to the queue, optionally after a delay. */
export async function enqueueTask(queue: Queue, taskId: string, delaySeconds = 0): Promise<void> {
  await queue.send({ taskId } satisfies TaskMessage, delaySeconds > 0 ? { delaySeconds: Math.min(43_200, Math.ceil(delaySeconds)) } : undefined);
}
