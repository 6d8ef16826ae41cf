/** Which waiting task goes next: earliest deadline first, fair between tenants, with aging. */

export interface WaitingTask {
  tenant: string;
  /** Epoch ms; tasks without one are treated as due a horizon after they started waiting. */
  deadline: number | undefined;
  enqueuedAt: number;
}

export const ORDER = {
  /** Deadline assumed for tasks that have none. */
  horizonMs: 24 * 3600_000,
  /** Each running lease a tenant holds pushes its waiting tasks this much later. */
  fairQuantumMs: 60_000,
  /** Each millisecond spent waiting pulls a task this much earlier (aging). */
  agingFactor: 1,
} as const;

/** Smaller is sooner. `running` is the tenant's current task leases. */
export function urgency(task: WaitingTask, running: number, now: number): number {
  const due = task.deadline ?? task.enqueuedAt + ORDER.horizonMs;
  return due + running * ORDER.fairQuantumMs - (now - task.enqueuedAt) * ORDER.agingFactor;
}

/** The index of the task to admit next, or -1 for none. */
export function pickNext<T extends WaitingTask>(waiting: readonly T[], runningByTenant: ReadonlyMap<string, number>, now: number): number {
  let best = -1;
  let bestScore = Infinity;
  waiting.forEach((task, i) => {
    const score = urgency(task, runningByTenant.get(task.tenant) ?? 0, now);
    if (score < bestScore) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}
