/** What the governor learns of realtime traffic: arrival rate, latency baseline and recent latency. */

export interface RealtimeDemand {
  /** Exponentially decayed count of arrivals; divided by the time constant it is a rate. */
  decayedArrivals: number;
  lastArrivalAt: number;
  /** Lowest recent latency, drifting slowly up so an old minimum does not stick forever. */
  baselineMs: number | null;
  /** Exponentially weighted recent latency. */
  recentMs: number | null;
  samples: number;
}

export const DEMAND = {
  /** Time constant of the arrival-rate estimate. */
  tauMs: 10_000,
  /** Weight of a new latency sample in the recent average. */
  alpha: 0.2,
  /** Per-sample upward drift of the baseline. */
  baselineDrift: 0.01,
  /** Recent latency above baseline × this is a rise. */
  riseRatio: 1.5,
  minSamples: 5,
} as const;

export function emptyDemand(): RealtimeDemand {
  return { decayedArrivals: 0, lastArrivalAt: 0, baselineMs: null, recentMs: null, samples: 0 };
}

function decay(d: RealtimeDemand, now: number): void {
  if (now > d.lastArrivalAt) {
    d.decayedArrivals *= Math.exp(-(now - d.lastArrivalAt) / DEMAND.tauMs);
    d.lastArrivalAt = now;
  }
}

export function recordArrival(d: RealtimeDemand, now: number): void {
  decay(d, now);
  d.decayedArrivals += 1;
}

/** Realtime arrivals per millisecond, recently. */
export function arrivalRate(d: RealtimeDemand, now: number): number {
  decay(d, now);
  return d.decayedArrivals / DEMAND.tauMs;
}

/** Feeds one realtime latency sample (time to first token when known). */
export function recordLatency(d: RealtimeDemand, ms: number): void {
  d.samples++;
  d.recentMs = d.recentMs === null ? ms : d.recentMs + DEMAND.alpha * (ms - d.recentMs);
  const drifted = d.baselineMs === null ? ms : d.baselineMs * (1 + DEMAND.baselineDrift);
  d.baselineMs = Math.min(drifted, ms);
}

/** Whether realtime latency has risen clearly above its baseline. */
export function latencyRising(d: RealtimeDemand): boolean {
  return (
    d.samples >= DEMAND.minSamples &&
    d.baselineMs !== null &&
    d.recentMs !== null &&
    d.recentMs > Math.max(1, d.baselineMs) * DEMAND.riseRatio
  );
}
