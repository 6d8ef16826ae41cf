/**
 * The task lane's adaptive concurrency limit: additive increase, multiplicative decrease (AIMD),
 * with a fast regrowth (one slot per completion, doubling per round trip) once no congestion
 * signal has come for a while, so an old cut does not keep idle slots from tasks.
 */

export interface TaskLimitState {
  limit: number;
  /** When the last multiplicative cut happened; cuts closer together than a window count once. */
  lastCutAt: number;
  cuts: number;
}

export const AIMD = {
  /** Multiplier on an upstream 429 or an exhausted rate-limit header. */
  backoff: 0.5,
  /** Multiplier when realtime latency rises above its baseline. */
  latencyBackoff: 0.8,
  /** At most one cut per this many milliseconds. */
  cutWindowMs: 1000,
  /** After this long without a cut, the limit regrows by one slot per clean completion. */
  quietMs: 3_000,
} as const;

export function initialTaskLimit(maxConcurrency: number): TaskLimitState {
  return { limit: maxConcurrency, lastCutAt: -Infinity, cuts: 0 };
}

/** One task finished cleanly: grow by one slot per limit's worth of completions, or by one after a quiet spell. */
export function grow(state: TaskLimitState, ceiling: number, now: number): void {
  const step = now - state.lastCutAt >= AIMD.quietMs ? 1 : 1 / Math.max(1, state.limit);
  state.limit = Math.min(ceiling, state.limit + step);
}

/** A congestion signal: cut by `factor`, at most once per window. Returns whether it cut. */
export function cut(state: TaskLimitState, factor: number, now: number): boolean {
  if (now - state.lastCutAt < AIMD.cutWindowMs) return false;
  state.limit = Math.max(1, state.limit * factor);
  state.lastCutAt = now;
  state.cuts++;
  return true;
}

/** The whole number of task leases the limit allows now. */
export function allowed(state: TaskLimitState): number {
  return Math.max(1, Math.floor(state.limit + 1e-9));
}
