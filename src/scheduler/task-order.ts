/**
 * Which waiting task goes next. A task close to its deadline goes first, earliest deadline first:
 * its deadline is a promise. Otherwise tenants take turns: the tenant being served least (its
 * running task leases plus its recent grants, fading with time) goes next, and within a tenant
 * the earliest deadline. So a tenant that queues ten thousand tasks does not make another wait
 * behind all of them, whenever each submitted, and nothing starves: every waiting task becomes
 * urgent as its deadline nears.
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
  /** A task due within this long is urgent: it goes before every task that is not, earliest deadline first. */
  urgentWithinMs: 15 * 60_000,
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

function dueOf(task: WaitingTask): number {
  return task.deadline ?? task.enqueuedAt + ORDER.horizonMs;
}

/**
 * Whether `a` goes before `b`. `load` is what a tenant is being served (running leases plus
 * recent grants). Ties go to the task that has waited longer.
 */
export function goesBefore(a: WaitingTask, b: WaitingTask, load: (tenant: string) => number, now: number): boolean {
  const urgentA = dueOf(a) - now <= ORDER.urgentWithinMs;
  const urgentB = dueOf(b) - now <= ORDER.urgentWithinMs;
  if (urgentA !== urgentB) return urgentA;
  if (!urgentA && a.tenant !== b.tenant) {
    const la = load(a.tenant);
    const lb = load(b.tenant);
    if (Math.abs(la - lb) > 1e-6) return la < lb;
  }
  if (dueOf(a) !== dueOf(b)) return dueOf(a) < dueOf(b);
  return a.enqueuedAt < b.enqueuedAt;
}

/** The index of the task to admit next, or -1 for none. */
export function pickNext<T extends WaitingTask>(waiting: readonly T[], load: (tenant: string) => number, now: number): number {
  let best = -1;
  waiting.forEach((task, i) => {
    if (best === -1 || goesBefore(task, waiting[best]!, load, now)) best = i;
  });
  return best;
}
