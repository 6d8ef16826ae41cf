/** A deployment's governor status and the health state it comes to (breaker, errors, latency, heartbeat). */
import { settings, type Bindings } from "../env.ts";
import { governorFor } from "../scheduler/lease.ts";
import { healthOf, type Health } from "./health.ts";
import type { Deployment } from "./route-table.ts";

export async function deploymentHealth(env: Bindings, d: Deployment, now = Date.now()) {
  const status = await governorFor(env, d.governor).status(d.provider.limits);
  const health: { state: Health; reasons: string[] } = healthOf({
    breaker: status.breaker.phase,
    failureRatio: status.breaker.failureRatio,
    recentLatencyMs: status.latency.realtimeRecentMs,
    baselineLatencyMs: status.latency.realtimeBaselineMs,
    heartbeatAgeMs: d.heartbeatAt === undefined ? null : now - d.heartbeatAt,
    heartbeatTimeoutMs: d.heartbeatAt === undefined ? null : settings(env).HEARTBEAT_TIMEOUT_MS,
  });
  return { status, health };
}
