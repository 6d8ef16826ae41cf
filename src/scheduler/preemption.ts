/**
 * Making room for realtime on a full deployment, pure: which task leases to take back, when a
 * task about to finish is worth waiting for instead, and how many slots to keep free of tasks.
 */
import type { Lease } from "./lease-types.ts";

/** Assumed task latency before any task has finished. */
export const DEFAULT_TASK_LATENCY_MS = 1000;

/**
 * How close to its expected end a task must be for realtime to wait for it rather than preempt:
 * the abort and drain, plus a tenth of a task's run (the work a preemption would throw away).
 */
export function preemptionCostMs(abortDrainMs: number, taskLatencyMs: number | null): number {
  return abortDrainMs + Math.max(60, 0.1 * (taskLatencyMs ?? 0));
}

/** Whether a task lease is expected (from recent task latency) to end within the preemption cost. */
export function finishingSoon(lease: Lease, taskLatencyMs: number | null, costMs: number, now: number): boolean {
  if (taskLatencyMs === null) return false;
  const remaining = lease.grantedAt + taskLatencyMs - now;
  return remaining > -costMs && remaining <= costMs;
}

/**
 * The task leases to revoke, youngest first (they have done the least work), so that `needed`
 * slots are on their way back. Already coming: revoked leases not yet released, `draining`
 * released slots, and tasks about to finish (waiting for one is cheaper than an abort and drain).
 */
export function leasesToRevoke(leases: readonly Lease[], needed: number, draining: number, taskLatencyMs: number | null, costMs: number, now: number): Lease[] {
  const tasks = leases.filter((l) => l.lane === "task");
  let coming = leases.filter((l) => l.revoked).length + draining;
  coming += tasks.filter((l) => !l.revoked && finishingSoon(l, taskLatencyMs, costMs, now)).length;
  const victims: Lease[] = [];
  for (const lease of tasks.filter((l) => !l.revoked).sort((a, b) => b.grantedAt - a.grantedAt)) {
    if (coming >= needed) break;
    victims.push(lease);
    coming++;
  }
  return victims;
}

/**
 * Slots kept free of tasks: the realtime calls surely expected before a task slot frees on its
 * own (arrival rate × mean time between task completions when tasks fill the headroom), in
 * whole slots. The fractional rest is cheaper served by preempting the youngest task.
 */
export function realtimeReserve(arrivalsPerMs: number, maxConcurrency: number, realtimeInFlight: number, taskLatencyMs: number | null): number {
  const headroom = maxConcurrency - realtimeInFlight;
  const turnoverMs = (taskLatencyMs ?? DEFAULT_TASK_LATENCY_MS) / Math.max(1, headroom);
  return Math.min(maxConcurrency - 1, Math.floor(arrivalsPerMs * turnoverMs));
}
