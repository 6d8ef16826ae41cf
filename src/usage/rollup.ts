/**
 * Request-log rows folded into daily rollup rows (one per day, owner, key, model, provider, lane
 * and status), written with the log rows in the same batch and added to what the day has so far.
 */
import { insertJsonRows, type JsonRowsStatement } from "../db/json-rows.ts";
import type { NewRequestLog } from "../db/request-logs.ts";
import { LATENCY_BUCKET_KEYS, LATENCY_BUCKETS_MS, usageDaily, type LatencyBucketKey } from "../db/schema.ts";
import { dayOf } from "./day.ts";

export type RollupRow = typeof usageDaily.$inferInsert;

/** The bucket a latency falls in. */
export function latencyBucket(ms: number): LatencyBucketKey {
  const i = LATENCY_BUCKETS_MS.findIndex((le) => ms <= le);
  return LATENCY_BUCKET_KEYS[i === -1 ? LATENCY_BUCKET_KEYS.length - 1 : i]!;
}

/** The rollup rows of some log rows (one per group). */
export function rollUp(rows: readonly NewRequestLog[], offsetMinutes: number): RollupRow[] {
  const groups = new Map<string, RollupRow>();
  for (const r of rows) {
    const key = { day: dayOf(r.createdAt, offsetMinutes), ownerId: r.userId ?? "", keyId: r.keyId ?? "", model: r.model ?? "", provider: r.provider ?? "", lane: r.lane ?? "", status: r.status };
    const id = JSON.stringify(Object.values(key));
    let g = groups.get(id);
    if (!g) {
      g = { ...key, requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, listCostUsd: 0, unpriced: 0, latencyMsSum: 0, ...Object.fromEntries(LATENCY_BUCKET_KEYS.map((k) => [k, 0])) };
      groups.set(id, g);
    }
    g.requests++;
    g.promptTokens += r.promptTokens ?? 0;
    g.completionTokens += r.completionTokens ?? 0;
    g.costUsd += r.costUsd ?? 0;
    g.listCostUsd += r.listCostUsd ?? r.costUsd ?? 0;
    if (r.costUsd == null && (r.promptTokens ?? 0) + (r.completionTokens ?? 0) > 0) g.unpriced++;
    g.latencyMsSum += r.latencyMs;
    const bucket = latencyBucket(r.latencyMs);
    g[bucket] = (g[bucket] ?? 0) + 1;
  }
  return [...groups.values()];
}

/** The counters a rollup row adds to the day's. */
const COUNTERS = ["requests", "promptTokens", "completionTokens", "costUsd", "listCostUsd", "unpriced", "latencyMsSum", ...LATENCY_BUCKET_KEYS] as const;
const GROUP = ["day", "ownerId", "keyId", "model", "provider", "lane", "status"] as const;

/** One upsert adding the rows' counts to the day's. */
export function rollupStatement(rows: RollupRow[]): JsonRowsStatement {
  return insertJsonRows(usageDaily, rows, { target: GROUP, add: COUNTERS });
}
