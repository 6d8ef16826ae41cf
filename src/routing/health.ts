/**
 * The health of a deployment as an admin reads it: unhealthy when its breaker is not closed or
 * its heartbeat stopped; degraded when a tenth of its recent calls failed or its latency is far
 * above what is usual for it; healthy otherwise. Each state comes with short reasons in English.
 */

export type Health = "healthy" | "degraded" | "unhealthy";

export interface HealthInputs {
  breaker: "closed" | "open" | "half_open";
  /** Share of failed calls in the breaker's window, null with none. */
  failureRatio: number | null;
  recentLatencyMs: number | null;
  baselineLatencyMs: number | null;
  /** How long since the deployment's governor was last heard from, and how long is too long. */
  heartbeatAgeMs?: number | null;
  heartbeatTimeoutMs?: number | null;
}

export const HEALTH = {
  /** Degraded from this share of failed calls. */
  failureRatio: 0.1,
  /** Degraded when recent latency is above this multiple of the baseline... */
  latencyFactor: 2,
  /** ...and at least this many milliseconds above it (a 40 ms → 90 ms jump is no news). */
  latencyMarginMs: 500,
} as const;

/** The deployment's state and every reason that applies (a degraded reason is kept when unhealthy too). */
export function healthOf(inputs: HealthInputs): { state: Health; reasons: string[] } {
  const unhealthy: string[] = [];
  const degraded: string[] = [];
  if (inputs.breaker === "open") unhealthy.push("breaker open");
  if (inputs.breaker === "half_open") unhealthy.push("breaker half-open, probing");
  const { heartbeatAgeMs: age, heartbeatTimeoutMs: timeout } = inputs;
  if (age != null && timeout != null && age > timeout) unhealthy.push(`no heartbeat for ${Math.round(age / 1000)} s`);
  const ratio = inputs.failureRatio;
  if (ratio !== null && ratio >= HEALTH.failureRatio) degraded.push(`${Math.round(ratio * 100)}% of recent calls failed`);
  const { recentLatencyMs: recent, baselineLatencyMs: baseline } = inputs;
  if (recent !== null && baseline !== null && recent > HEALTH.latencyFactor * baseline && recent - baseline >= HEALTH.latencyMarginMs) {
    degraded.push(`latency ${Math.round(recent)} ms vs ${Math.round(baseline)} ms usual`);
  }
  const state: Health = unhealthy.length > 0 ? "unhealthy" : degraded.length > 0 ? "degraded" : "healthy";
  return { state, reasons: [...unhealthy, ...degraded] };
}
