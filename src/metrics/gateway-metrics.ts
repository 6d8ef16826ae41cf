/**
 * What /metrics shows, aggregated across isolates: request counts, latency histograms, tokens and
 * cost from D1's daily rollups (all days, so counters only grow); lanes, limits, 429s, preemptions
 * and breakers from each deployment's governor; the task backlog from D1.
 */
import { sql } from "drizzle-orm";
import { database } from "../db/client.ts";
import { LATENCY_BUCKET_KEYS, LATENCY_BUCKETS_MS, usageDaily } from "../db/schema.ts";
import { taskCounts } from "../db/tasks.ts";
import type { Bindings } from "../env.ts";
import { deploymentHealth } from "../routing/deployment-health.ts";
import { routeTable } from "../routing/route-table.ts";
import type { Family, Labels } from "./exposition.ts";

const column = (k: string) => (k === "leInf" ? "le_inf" : `le_${k.slice(2)}`);

async function usageTotals(env: Bindings) {
  const t = usageDaily;
  const buckets = LATENCY_BUCKET_KEYS.map((k) => sql<number>`sum(${sql.raw(column(k))})`);
  return database(env.DB)
    .select({
      model: t.model,
      provider: t.provider,
      lane: t.lane,
      status: t.status,
      requests: sql<number>`sum(${t.requests})`,
      promptTokens: sql<number>`sum(${t.promptTokens})`,
      completionTokens: sql<number>`sum(${t.completionTokens})`,
      costUsd: sql<number>`sum(${t.costUsd})`,
      latencyMsSum: sql<number>`sum(${t.latencyMsSum})`,
      b0: buckets[0]!, b1: buckets[1]!, b2: buckets[2]!, b3: buckets[3]!, b4: buckets[4]!, b5: buckets[5]!,
      b6: buckets[6]!, b7: buckets[7]!, b8: buckets[8]!, b9: buckets[9]!, b10: buckets[10]!, b11: buckets[11]!,
    })
    .from(t)
    .groupBy(t.model, t.provider, t.lane, t.status)
    .all();
}

const family = (name: string, type: Family["type"], help: string): Family => ({ name, type, help, samples: [] });

export async function gatewayMetrics(env: Bindings): Promise<Family[]> {
  const [usage, table, backlog] = await Promise.all([usageTotals(env), routeTable(env), taskCounts(database(env.DB))]);

  const requests = family("gateway_requests_total", "counter", "Upstream call attempts (and calls refused before one), by model, provider, lane and status.");
  const duration = family("gateway_request_duration_seconds", "histogram", "How long calls took, from admission to the last byte.");
  const tokens = family("gateway_tokens_total", "counter", "Tokens the providers reported, by direction.");
  const cost = family("gateway_cost_usd_total", "counter", "What calls cost in USD (task discount applied), from the price table.");
  for (const u of usage) {
    const labels: Labels = { model: u.model, provider: u.provider, lane: u.lane, status: String(u.status) };
    requests.samples.push({ labels, value: u.requests });
    const counts = [u.b0, u.b1, u.b2, u.b3, u.b4, u.b5, u.b6, u.b7, u.b8, u.b9, u.b10, u.b11];
    let cumulative = 0;
    LATENCY_BUCKETS_MS.forEach((ms, i) => {
      cumulative += counts[i] ?? 0;
      duration.samples.push({ suffix: "_bucket", labels: { ...labels, le: String(ms / 1000) }, value: cumulative });
    });
    duration.samples.push({ suffix: "_bucket", labels: { ...labels, le: "+Inf" }, value: u.requests });
    duration.samples.push({ suffix: "_sum", labels, value: u.latencyMsSum / 1000 }, { suffix: "_count", labels, value: u.requests });
    tokens.samples.push({ labels: { ...labels, direction: "prompt" }, value: u.promptTokens }, { labels: { ...labels, direction: "completion" }, value: u.completionTokens });
    cost.samples.push({ labels, value: Math.round(u.costUsd * 1e8) / 1e8 });
  }

  const inFlight = family("gateway_lane_in_flight", "gauge", "Calls in flight per deployment and lane (realtime includes capacity-share slots).");
  const maxConcurrency = family("gateway_max_concurrency", "gauge", "A deployment's concurrency cap.");
  const taskLimit = family("gateway_task_limit", "gauge", "How many task calls the governor lets run now (backs off as realtime demand or latency rises).");
  const waiting = family("gateway_waiting", "gauge", "Calls waiting in the governor for a slot, by lane.");
  const upstream429 = family("gateway_upstream_429_total", "counter", "429s from the provider, since the governor started.");
  const preemptions = family("gateway_preemptions_total", "counter", "Task calls preempted for realtime calls, since the governor started.");
  const breaker = family("gateway_breaker_state", "gauge", "The deployment's circuit breaker: 1 for its current state.");
  const health = family("gateway_deployment_healthy", "gauge", "1 when the deployment is healthy, 0.5 degraded, 0 unhealthy.");
  for (const p of table.providers) {
    for (const d of p.deployments) {
      const { status: g, health: h } = await deploymentHealth(env, d);
      const labels: Labels = { deployment: d.id, model: d.model, provider: p.name };
      inFlight.samples.push({ labels: { ...labels, lane: "realtime" }, value: g.realtimeInFlight }, { labels: { ...labels, lane: "task" }, value: g.taskInFlight });
      maxConcurrency.samples.push({ labels, value: d.provider.limits.maxConcurrency });
      taskLimit.samples.push({ labels, value: g.taskLimit });
      waiting.samples.push({ labels: { ...labels, lane: "realtime" }, value: g.waiting.realtime }, { labels: { ...labels, lane: "task" }, value: g.waiting.task });
      upstream429.samples.push({ labels, value: g.upstream429 });
      preemptions.samples.push({ labels, value: g.preemptions });
      for (const state of ["closed", "open", "half_open"] as const) breaker.samples.push({ labels: { ...labels, state }, value: g.breaker.phase === state ? 1 : 0 });
      health.samples.push({ labels, value: h.state === "healthy" ? 1 : h.state === "degraded" ? 0.5 : 0 });
    }
  }

  const queue = family("gateway_tasks", "gauge", "Open tasks by provider and status (queued: waiting to run).");
  for (const [provider, counts] of backlog) for (const status of ["queued", "running"]) queue.samples.push({ labels: { provider, status }, value: counts[status] ?? 0 });

  return [requests, duration, tokens, cost, inFlight, maxConcurrency, taskLimit, waiting, upstream429, preemptions, breaker, health, queue];
}
