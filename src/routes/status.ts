/** `GET /api/status` (admin): per provider, the governor's lanes and limits and the task backlog. */
import { Hono } from "hono";
import { database } from "../db/client.ts";
import { taskCounts } from "../db/tasks.ts";
import type { AppEnv } from "../env.ts";
import { allProviderLimits } from "../providers/registry.ts";
import { governorFor } from "../scheduler/lease.ts";

export const statusRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const db = database(c.env.DB);
  const [list, counts] = await Promise.all([allProviderLimits(c.env), taskCounts(db)]);
  const data = await Promise.all(
    list.map(async ({ name, limits }) => {
      const g = await governorFor(c.env, name).status(limits);
      const tasks = counts.get(name) ?? {};
      return {
        provider: name,
        max_concurrency: limits.maxConcurrency,
        rpm: limits.rpm ?? null,
        tpm: limits.tpm ?? null,
        realtime_in_flight: g.realtimeInFlight,
        task_in_flight: g.taskInFlight,
        task_limit: g.taskLimit,
        reserve: g.reserve,
        waiting: g.waiting,
        tasks: { queued: tasks.queued ?? 0, running: tasks.running ?? 0 },
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
  return c.json({ object: "list", data });
});
