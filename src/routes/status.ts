/** `GET /api/status` (admin): per deployment, the governor's lanes, limits, breaker and health; per provider, the task backlog. */
import { Hono } from "hono";
import { database } from "../db/client.ts";
import { taskCounts } from "../db/tasks.ts";
import type { AppEnv } from "../env.ts";
import { deploymentHealth } from "../routing/deployment-health.ts";
import { routeTable } from "../routing/route-table.ts";

export const statusRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const db = database(c.env.DB);
  const [table, counts] = await Promise.all([routeTable(c.env), taskCounts(db)]);
  const data = await Promise.all(
    table.providers.map(async (p) => {
      const tasks = counts.get(p.name) ?? {};
      const deployments = await Promise.all(
        p.deployments.map(async (d) => {
          const { status: g, health } = await deploymentHealth(c.env, d);
          return {
            id: d.id,
            model: d.model,
            upstream_model: d.upstreamModel,
            key: d.keyName,
            health: health.state,
            health_reasons: health.reasons,
            max_concurrency: d.provider.limits.maxConcurrency,
            rpm: d.provider.limits.rpm ?? null,
            tpm: d.provider.limits.tpm ?? null,
            realtime_in_flight: g.realtimeInFlight,
            shares: g.shares,
            task_in_flight: g.taskInFlight,
            task_limit: g.taskLimit,
            reserve: g.reserve,
            waiting: g.waiting,
            breaker: { state: g.breaker.phase, failure_ratio: g.breaker.failureRatio, trips: g.breaker.trips, retry_in_ms: g.breaker.retryInMs },
            last_success_at: g.lastSuccessAt,
            latency_ms: { realtime_recent: g.latency.realtimeRecentMs, realtime_baseline: g.latency.realtimeBaselineMs, task_avg: g.latency.taskAvgMs },
            realtime_arrivals_per_second: g.realtimeArrivalsPerSecond,
            upstream_429: g.upstream429,
            preemptions: g.preemptions,
            task_limit_cuts: g.taskLimitCuts,
            cooldown_ms: g.cooldownMs,
            granted: g.granted,
            rejected: g.rejected,
            expired_leases: g.expiredLeases,
          };
        }),
      );
      const sum = (pick: (d: (typeof deployments)[number]) => number) => deployments.reduce((n, d) => n + pick(d), 0);
      return {
        provider: p.name,
        source: p.source,
        max_concurrency: sum((d) => d.max_concurrency),
        realtime_in_flight: sum((d) => d.realtime_in_flight),
        task_in_flight: sum((d) => d.task_in_flight),
        upstream_429: sum((d) => d.upstream_429),
        tasks: { queued: tasks.queued ?? 0, running: tasks.running ?? 0 },
        deployments,
      };
    }),
  );
  return c.json({ object: "list", data });
});
