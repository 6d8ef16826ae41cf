/**
 * The active health check, run by the Cron Trigger: a probe for each deployment that no call has
 * proved healthy within HEALTH_CHECK_INTERVAL_MS, unless calls are running on it or tasks wait
 * for it (they will probe it soon enough, and synthetic calls would take their slot), or its
 * breaker is cooling down. Registered backends silent for three heartbeat timeouts are removed.
 */
import { newRequestId } from "../core/request-id.ts";
import { lt } from "drizzle-orm";
import { database } from "../db/client.ts";
import { backends } from "../db/schema.ts";
import { settings, type Bindings } from "../env.ts";
import { deploymentHealth } from "../routing/deployment-health.ts";
import { forgetRoutes, routeTable, type Deployment } from "../routing/route-table.ts";
import { governorFor } from "../scheduler/lease.ts";
import type { CallContext } from "./call-context.ts";
import { probe, type ProbeResult } from "./probe.ts";

/** The tenant the gateway's own calls are logged under. */
export const GATEWAY_OWNER = "gateway";
const PROBE_MESSAGE = "Reply with OK.";
/** Probes in flight at once (an invocation has six connections). */
const PARALLEL = 4;
/** Answers that mean "not a request this deployment serves", not "unhealthy". */
const UNSERVED = new Set(["upstream_bad_request", "upstream_not_found", "unsupported_model_operation", "untranslatable_parameter"]);

export interface HealthCheckReport {
  probed: ProbeResult[];
  skipped: number;
  removedBackends: number;
}

/** A context for the gateway's own calls (no caller waits; nothing to abort). */
export function gatewayContext(env: Bindings, waitUntil: (p: Promise<unknown>) => void, endpoint: string): CallContext {
  return { env, caller: { ownerId: GATEWAY_OWNER, keyId: null }, waitUntil, signal: new AbortController().signal, endpoint, requestId: newRequestId() };
}

/** Probes one deployment now, whatever its recent traffic (an admin asked). */
export function probeDeployment(ctx: CallContext, d: Deployment): Promise<ProbeResult> {
  return probe(ctx, { requested: d.model, model: d.model, strategy: "priority", deployments: [d] }, PROBE_MESSAGE, d);
}

export async function runHealthChecks(env: Bindings, waitUntil: (p: Promise<unknown>) => void, now = Date.now()): Promise<HealthCheckReport> {
  const { HEALTH_CHECK_INTERVAL_MS, HEARTBEAT_TIMEOUT_MS } = settings(env);
  const removed = await database(env.DB).delete(backends).where(lt(backends.heartbeatAt, now - 3 * HEARTBEAT_TIMEOUT_MS)).returning({ id: backends.workerId });
  if (removed.length > 0) forgetRoutes(env);
  const table = await routeTable(env, now);
  // One probe per governor: deployments that share one share their health. Users' own keys are not probed (their bill).
  const byGovernor = new Map<string, Deployment>();
  for (const list of table.shared.values()) for (const d of list) if (!byGovernor.has(d.governor)) byGovernor.set(d.governor, d);
  const due: Deployment[] = [];
  let skipped = 0;
  for (const d of byGovernor.values()) {
    const { status } = await deploymentHealth(env, d, now);
    const proven = status.lastSuccessAt !== null && now - status.lastSuccessAt < HEALTH_CHECK_INTERVAL_MS;
    // Tasks waiting will probe it themselves; a synthetic call would only take their slot.
    const busy = status.realtimeInFlight + status.taskInFlight > 0 || status.waiting.task > 0 || status.tasksWaiting;
    const cooling = status.breaker.phase === "open" && status.breaker.retryInMs > 0;
    if (proven || busy || cooling || status.unprobeableUntil !== null) skipped++;
    else due.push(d);
  }
  const ctx = gatewayContext(env, waitUntil, "health_check");
  const probed: ProbeResult[] = [];
  for (let i = 0; i < due.length; i += PARALLEL) probed.push(...(await Promise.all(due.slice(i, i + PARALLEL).map((d) => probeDeployment(ctx, d)))));
  // A probe refused as a request the deployment does not serve (a chat call to an embeddings model)
  // says nothing about its health: leave it alone for a day rather than fail the same way each minute.
  await Promise.all(
    probed.map(async (p, i) => {
      if (!p.ok && UNSERVED.has(p.error?.code ?? "")) await governorFor(env, due[i]!.governor).markUnprobeable(now + 24 * 3600_000);
    }),
  );
  return { probed, skipped, removedBackends: removed.length };
}
