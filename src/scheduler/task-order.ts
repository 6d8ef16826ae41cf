/**
 * Which waiting task goes next: earliest deadline first, fair between tenants, with aging.
 * Fairness counts what a tenant is being served: its running task leases plus its recent grants
 * (fading with time), so tenants take turns even at a task limit of one, where nobody has a
 * lease running at the moment a slot frees.
 */

export interface WaitingTask {
  tenant: string;
  /** Epoch ms; tasks without one are treated as due a horizon after they started waiting. */
  deadline: number | undefined;
  enqueuedAt: number;
}

/** Each tenant's recent task grants, fading with `ORDER.serviceDecayMs`. */
export type ServiceRecord = Record<string, { grants: number; at: number }>;

export const ORDER = {
  /** Deadline assumed for tasks that have none. */
  horizonMs: 24 * 3600_000,
  /** Each unit of a tenant's load (a running lease, a recent grant) pushes its waiting tasks this much later. */
  fairQuantumMs: 60_000,
  /** Each millisecond spent waiting pulls a task this much earlier (aging). */
  agingFactor: 1,
  /** Time constant with which a tenant's recent grants fade. */
  serviceDecayMs: 30_000,
} as const;

/** A tenant's recent grants as of `now`. */
export function recentGrants(service: ServiceRecord, tenant: string, now: number): number {
  const s = service[tenant];
  return s ? s.grants * Math.exp(-Math.max(0, now - s.at) / ORDER.serviceDecayMs) : 0;
}

/** Counts one grant to `tenant`; forgets tenants whose record has faded away. */
export function recordGrant(service: ServiceRecord, tenant: string, now: number): void {
  service[tenant] = { grants: recentGrants(service, tenant, now) + 1, at: now };
  for (const t of Object.keys(service)) if (t !== tenant && recentGrants(service, t, now) < 0.01) delete service[t];
}

/** Smaller is sooner. `load` is what the tenant is being served: running leases plus recent grants. */
export function urgency(task: WaitingTask, load: number, now: number): number {
  const due = task.deadline ?? task.enqueuedAt + ORDER.horizonMs;
  return due + load * ORDER.fairQuantumMs - (now - task.enqueuedAt) * ORDER.agingFactor;
}

/** The index of the task to admit next, or -1 for none. */
export function pickNext<T extends WaitingTask>(waiting: readonly T[], loadOf: (tenant: string) => number, now: number): number {
  let best = -1;
  let bestScore = Infinity;
  waiting.forEach((task, i) => {
    const score = urgency(task, loadOf(task.tenant), now);
    if (score < bestScore) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}
