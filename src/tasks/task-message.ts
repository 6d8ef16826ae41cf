/** What travels on the task queue: a wake-up, naming the task that prompted it (for the record); the body stays in D1. */
export interface TaskMessage {
  taskId?: string;
}

/** Sends a wake-up to the queue, optionally after a delay (when a task becomes due). */
export async function enqueueTask(queue: Queue, taskId?: string, delaySeconds = 0): Promise<void> {
  await queue.send((taskId ? { taskId } : {}) satisfies TaskMessage, delaySeconds > 0 ? { delaySeconds: Math.min(43_200, Math.ceil(delaySeconds)) } : undefined);
}
