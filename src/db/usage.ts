/** Reads of the daily usage rollups. */
import { and, eq, gte, inArray, lte, type SQL } from "drizzle-orm";
import type { Database } from "./client.ts";
import { usageDaily, users } from "./schema.ts";

export interface UsageScope {
  since: string;
  until: string;
  /** One owner's rows only; undefined for everyone's. */
  ownerId?: string | undefined;
}

export async function rollupRows(db: Database, scope: UsageScope) {
  const where: SQL[] = [gte(usageDaily.day, scope.since), lte(usageDaily.day, scope.until)];
  if (scope.ownerId !== undefined) where.push(eq(usageDaily.ownerId, scope.ownerId));
  return db.select().from(usageDaily).where(and(...where)).all();
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
