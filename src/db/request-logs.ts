/** Request log rows: written after the response (never delaying it), read with filters. */
import { and, desc, eq, gte, inArray, lt, type SQL } from "drizzle-orm";
import type { Database } from "./client.ts";
import { rollUp, rollupStatement } from "../usage/rollup.ts";
import { insertJsonRows, type JsonRowsStatement } from "./json-rows.ts";
import { requestLogs } from "./schema.ts";

export type RequestLogRow = typeof requestLogs.$inferInsert;

export type NewRequestLog = RequestLogRow & { id: string; createdAt: number };

/** Writes rows and adds them to the daily rollups: two statements in one batch (one round trip, one transaction). */
export async function writeRequestLogs(db: Database, rows: NewRequestLog[], offsetMinutes: number): Promise<void> {
  if (rows.length === 0) return;
  const d1 = db.$client;
  const prepared = ({ sql, json }: JsonRowsStatement) => d1.prepare(sql).bind(json);
  await d1.batch([prepared(insertJsonRows(requestLogs, rows)), prepared(rollupStatement(rollUp(rows, offsetMinutes)))]);
}

/** Deletes up to `max` rows created before `before` (log retention, a bounded step per run; the daily rollups stay). */
export async function deleteRequestLogsBefore(db: Database, before: number, max = 5_000): Promise<number> {
  const old = db.select({ id: requestLogs.id }).from(requestLogs).where(lt(requestLogs.createdAt, before)).limit(max);
  const result = await db.delete(requestLogs).where(inArray(requestLogs.id, old)).run();
  return result.meta.changes ?? 0;
}

export interface LogFilter {
  userId?: string | undefined;
  model?: string | undefined;
  provider?: string | undefined;
  deployment?: string | undefined;
  lane?: "realtime" | "task" | undefined;
  taskId?: string | undefined;
  requestId?: string | undefined;
  status?: number | undefined;
  since?: number | undefined;
  before?: number | undefined;
  limit: number;
}

export async function listRequestLogs(db: Database, filter: LogFilter) {
  const where: SQL[] = [];
  if (filter.userId !== undefined) where.push(eq(requestLogs.userId, filter.userId));
  if (filter.model) where.push(eq(requestLogs.model, filter.model));
  if (filter.provider) where.push(eq(requestLogs.provider, filter.provider));
  if (filter.deployment) where.push(eq(requestLogs.deployment, filter.deployment));
  if (filter.lane) where.push(eq(requestLogs.lane, filter.lane));
  if (filter.taskId) where.push(eq(requestLogs.taskId, filter.taskId));
  if (filter.requestId) where.push(eq(requestLogs.requestId, filter.requestId));
  if (filter.status) where.push(eq(requestLogs.status, filter.status));
  if (filter.since) where.push(gte(requestLogs.createdAt, filter.since));
  if (filter.before) where.push(lt(requestLogs.createdAt, filter.before));
  return db.select().from(requestLogs).where(and(...where)).orderBy(desc(requestLogs.createdAt)).limit(filter.limit).all();
}
