/** The public shape of a task (`object: "task"`), built from its row. */
import type { TaskRow } from "../db/tasks.ts";

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

export function taskView(row: TaskRow) {
  return {
    id: row.id,
    object: "task" as const,
    status: row.status,
    model: row.model,
    deadline: row.deadline === null ? null : new Date(row.deadline).toISOString(),
    metadata: row.metadata ?? null,
    /** Tries that ended (answered or failed); preempted runs are not tries. */
    attempts: row.attempts,
    /** Of those, how many the provider refused for capacity (429, 503). */
    capacity_retries: row.capacityRetries,
    preemptions: row.preemptions,
    /** What the run that succeeded cost (USD, task discount applied); null when unpriced or not done. */
    cost_usd: row.costUsd ?? null,
    created_at: seconds(row.createdAt),
    started_at: seconds(row.startedAt),
    finished_at: seconds(row.finishedAt),
    result: row.status === "succeeded" ? (row.result ?? null) : null,
    error: row.status === "succeeded" ? null : (row.error ?? null),
  };
}
