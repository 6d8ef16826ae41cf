/** Reads of the daily usage rollups, summed in SQL per group (one batch, one round trip). */
import { and, eq, gte, inArray, lte, sql, type SQL } from "drizzle-orm";
import type { Database } from "./client.ts";
import { LATENCY_BUCKET_KEYS, usageDaily, users } from "./schema.ts";
import type { Totals } from "../usage/summarize.ts";

export interface UsageScope {
  since: string;
  until: string;
  /** One owner's rows only; undefined for everyone's. */
  ownerId?: string | undefined;
}

export type UsageGroup = "day" | "model" | "provider" | "lane" | "owner" | "all";

const groupColumn = { day: usageDaily.day, model: usageDaily.model, provider: usageDaily.provider, lane: usageDaily.lane, owner: usageDaily.ownerId, all: sql<string>`''` } as const;

const bucketColumn = (k: string) => sql.raw(k === "leInf" ? "le_inf" : `le_${k.slice(2)}`);

function totalsQuery(db: Database, scope: UsageScope, group: UsageGroup) {
  const t = usageDaily;
  const where: SQL[] = [gte(t.day, scope.since), lte(t.day, scope.until)];
  if (scope.ownerId !== undefined) where.push(eq(t.ownerId, scope.ownerId));
  const key = groupColumn[group];
  return db
    .select({
      key: sql<string>`${key}`,
      requests: sql<number>`coalesce(sum(${t.requests}), 0)`,
      succeeded: sql<number>`coalesce(sum(case when ${t.status} between 200 and 399 then ${t.requests} else 0 end), 0)`,
      promptTokens: sql<number>`coalesce(sum(${t.promptTokens}), 0)`,
      completionTokens: sql<number>`coalesce(sum(${t.completionTokens}), 0)`,
      costUsd: sql<number>`coalesce(sum(${t.costUsd}), 0)`,
      listCostUsd: sql<number>`coalesce(sum(${t.listCostUsd}), 0)`,
      unpriced: sql<number>`coalesce(sum(${t.unpriced}), 0)`,
      latencyMsSum: sql<number>`coalesce(sum(${t.latencyMsSum}), 0)`,
      buckets: sql<string>`json_array(${sql.join(LATENCY_BUCKET_KEYS.map((k) => sql`coalesce(sum(${bucketColumn(k)}), 0)`), sql`, `)})`,
    })
    .from(t)
    .where(and(...where))
    .groupBy(key);
}

type TotalsRow = Awaited<ReturnType<typeof totalsQuery>>[number];

function totalsOf(r: TotalsRow): [string, Totals] {
  return [r.key, { requests: r.requests, succeeded: r.succeeded, failed: r.requests - r.succeeded, promptTokens: r.promptTokens, completionTokens: r.completionTokens, costUsd: r.costUsd, listCostUsd: r.listCostUsd, unpriced: r.unpriced, latencyMsSum: r.latencyMsSum, buckets: JSON.parse(r.buckets) as number[] }];
}

/** Totals of the scope per group, for each grouping asked, in one batch. */
export async function usageTotals<G extends UsageGroup>(db: Database, scope: UsageScope, groups: readonly G[]): Promise<Record<G, [string, Totals][]>> {
  const [first, ...rest] = groups.map((g) => totalsQuery(db, scope, g));
  const results = await db.batch([first!, ...rest]);
  return Object.fromEntries(groups.map((g, i) => [g, (results[i] as TotalsRow[]).map(totalsOf)])) as Record<G, [string, Totals][]>;
}

/** Usernames of these owner ids (root and config keys have none). */
export async function usernames(db: Database, ids: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  // D1 binds at most 100 parameters a statement.
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await db.select({ id: users.id, username: users.username }).from(users).where(inArray(users.id, ids.slice(i, i + 90))).all();
    for (const r of rows) found.set(r.id, r.username);
  }
  return found;
}
