/**
 * What the governor learns of realtime traffic: arrival rate, latency baseline and recent latency.
 * Every signal fades with time, not only with new samples: once realtime traffic stops, its
 * raised latency stops holding tasks back within seconds.
 */

export interface RealtimeDemand {
  /** Exponentially decayed count of arrivals; divided by the time constant it is a rate. */
  decayedArrivals: number;
  lastArrivalAt: number;
  /** Lowest recent latency, drifting slowly up so an old minimum does not stick forever. */
  baselineMs: number | null;
  /** Exponentially weighted recent latency, as of `lastSampleAt`. */
  recentMs: number | null;
  samples: number;
  /** When the last latency sample came (0: never, or a snapshot from before this field). */
  lastSampleAt?: number;
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
  /** Time constant with which recent latency fades back to its baseline when no samples come. */
  signalDecayMs: 2_000,
  /** With no realtime call in flight and no sample for this long, there is no realtime traffic to protect. */
  staleMs: 3_000,
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

/** Recent latency as of `now`: what was measured, faded toward the baseline since the last sample. */
export function recentLatency(d: RealtimeDemand, now: number): number | null {
  if (d.recentMs === null || d.baselineMs === null) return d.recentMs;
  const fade = Math.exp(-Math.max(0, now - (d.lastSampleAt ?? 0)) / DEMAND.signalDecayMs);
  return d.baselineMs + (d.recentMs - d.baselineMs) * fade;
}

/** Feeds one realtime latency sample (time to first token when known). */
export function recordLatency(d: RealtimeDemand, ms: number, now: number): void {
  d.samples++;
  const recent = recentLatency(d, now);
  d.recentMs = recent === null ? ms : recent + DEMAND.alpha * (ms - recent);
  d.lastSampleAt = now;
  const drifted = d.baselineMs === null ? ms : d.baselineMs * (1 + DEMAND.baselineDrift);
  d.baselineMs = Math.min(drifted, ms);
}

/**
 * Whether realtime latency is, now, clearly above its baseline. With no realtime call in flight
 * and no sample for `staleMs`, realtime traffic has stopped and nothing is rising.
 */
export function latencyRising(d: RealtimeDemand, now: number, realtimeInFlight: number): boolean {
  if (realtimeInFlight === 0 && now - (d.lastSampleAt ?? 0) >= DEMAND.staleMs) return false;
  const recent = recentLatency(d, now);
  return d.samples >= DEMAND.minSamples && d.baselineMs !== null && recent !== null && recent > Math.max(1, d.baselineMs) * DEMAND.riseRatio;
}
