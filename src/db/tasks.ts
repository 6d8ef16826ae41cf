/**
 * Task rows and every state change they go through. Each change is a conditional update, so a
 * duplicate queue delivery or a second run can never write a second outcome.
 */
import { and, asc, desc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Database } from "./client.ts";
import { tasks } from "./schema.ts";

export type TaskRow = typeof tasks.$inferSelect;
export type TaskStatus = TaskRow["status"];
export const TERMINAL: readonly TaskStatus[] = ["succeeded", "failed", "cancelled", "expired"];

export interface TaskError {
  message: string;
  type: string;
  code: string | null;
}

export async function insertTask(db: Database, row: typeof tasks.$inferInsert): Promise<void> {
  await db.insert(tasks).values(row);
}

export async function findTask(db: Database, id: string): Promise<TaskRow | undefined> {
  return db.select().from(tasks).where(eq(tasks.id, id)).get();
}

/** A tenant's own task; another tenant's is indistinguishable from a missing one. */
export async function findOwnedTask(db: Database, id: string, ownerId: string): Promise<TaskRow | undefined> {
  return db.select().from(tasks).where(and(eq(tasks.id, id), eq(tasks.ownerId, ownerId))).get();
}

export async function findByIdempotencyKey(db: Database, ownerId: string, key: string): Promise<TaskRow | undefined> {
  return db.select().from(tasks).where(and(eq(tasks.ownerId, ownerId), eq(tasks.idempotencyKey, key))).get();
}

/** A page of a tenant's tasks, newest first; `after` is the last id of the previous page. */
export async function listOwnedTasks(db: Database, ownerId: string, opts: { status?: TaskStatus | undefined; limit: number; after?: string | undefined }): Promise<TaskRow[]> {
  const where = [eq(tasks.ownerId, ownerId)];
  if (opts.status) where.push(eq(tasks.status, opts.status));
  if (opts.after) {
    const cursor = await findOwnedTask(db, opts.after, ownerId);
    if (cursor) where.push(or(lt(tasks.createdAt, cursor.createdAt), and(eq(tasks.createdAt, cursor.createdAt), lt(tasks.id, cursor.id)))!);
  }
  return db.select().from(tasks).where(and(...where)).orderBy(desc(tasks.createdAt), desc(tasks.id)).limit(opts.limit).all();
}

/** Cancels a task that has not ended; returns the row as it is afterwards. */
export async function cancelTask(db: Database, id: string, now: number): Promise<void> {
  await db
    .update(tasks)
    .set({ status: "cancelled", finishedAt: now, updatedAt: now, runId: null, leaseUntil: null })
    .where(and(eq(tasks.id, id), inArray(tasks.status, ["queued", "running"])));
}

/** Cancels every task of a tenant that has not ended (their user was disabled or deleted). */
export async function cancelOpenTasks(db: Database, ownerId: string, now: number): Promise<number> {
  const rows = await db
    .update(tasks)
    .set({ status: "cancelled", finishedAt: now, updatedAt: now, runId: null, leaseUntil: null })
    .where(and(eq(tasks.ownerId, ownerId), inArray(tasks.status, ["queued", "running"])))
    .returning({ id: tasks.id });
  return rows.length;
}

/** A queued task nobody holds, or whose hold ran out, or held by `hold`. */
const free = (hold: string | undefined, now: number) => or(isNull(tasks.runId), lt(tasks.leaseUntil, now), hold ? eq(tasks.runId, hold) : undefined);

/**
 * Holds a queued task for one consumer runner while it waits for a slot, so no other runner takes
 * it and the sweeper leaves it alone. False if another runner holds it or it is no longer queued.
 */
export async function holdQueued(db: Database, id: string, hold: string, until: number, now: number): Promise<boolean> {
  const rows = await db
    .update(tasks)
    .set({ runId: hold, leaseUntil: until, updatedAt: now })
    .where(and(eq(tasks.id, id), eq(tasks.status, "queued"), free(hold, now)))
    .returning({ id: tasks.id });
  return rows.length === 1;
}

/** Holds the most urgent queued task that is due (earliest deadline first); undefined when none. */
export async function holdNextDue(db: Database, hold: string, until: number, now: number): Promise<string | undefined> {
  const next = db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.status, "queued"), lte(tasks.availableAt, now), free(undefined, now)))
    .orderBy(asc(tasks.deadline), asc(tasks.createdAt))
    .limit(1);
  const rows = await db
    .update(tasks)
    .set({ runId: hold, leaseUntil: until, updatedAt: now })
    .where(and(inArray(tasks.id, next), eq(tasks.status, "queued"), free(undefined, now)))
    .returning({ id: tasks.id });
  return rows[0]?.id;
}

/** Turns this runner's hold into a run. False if someone else has the task or it ended. */
export async function claimTask(db: Database, id: string, hold: string, runId: string, until: number, now: number): Promise<boolean> {
  const rows = await db
    .update(tasks)
    .set({ status: "running", runId, leaseUntil: until, startedAt: sql`coalesce(${tasks.startedAt}, ${now})`, updatedAt: now })
    .where(and(eq(tasks.id, id), or(and(eq(tasks.status, "queued"), free(hold, now)), and(eq(tasks.status, "running"), lt(tasks.leaseUntil, now)))))
    .returning({ id: tasks.id });
  return rows.length === 1;
}

/** Lets go of a hold without running (no slot in time): the task waits again, due after `availableAt`. */
export async function releaseHold(db: Database, id: string, hold: string, availableAt: number, until: number, now: number): Promise<void> {
  await db
    .update(tasks)
    .set({ runId: null, availableAt, leaseUntil: until, updatedAt: now })
    .where(and(eq(tasks.id, id), eq(tasks.status, "queued"), eq(tasks.runId, hold)));
}

export async function extendRun(db: Database, id: string, runId: string, until: number): Promise<void> {
  await db.update(tasks).set({ leaseUntil: until }).where(and(eq(tasks.id, id), eq(tasks.runId, runId), eq(tasks.status, "running")));
}

/** Ends the run with its outcome; false when the run no longer holds the task (cancelled, swept). */
export async function finishRun(db: Database, id: string, runId: string, outcome: { status: "succeeded"; result: unknown } | { status: "failed"; error: TaskError }, now: number): Promise<boolean> {
  const rows = await db
    .update(tasks)
    .set({
      status: outcome.status,
      result: outcome.status === "succeeded" ? outcome.result : null,
      error: outcome.status === "failed" ? outcome.error : null,
      attempts: sql`${tasks.attempts} + 1`,
      finishedAt: now,
      updatedAt: now,
      leaseUntil: null,
    })
    .where(and(eq(tasks.id, id), eq(tasks.runId, runId), eq(tasks.status, "running")))
    .returning({ id: tasks.id });
  return rows.length === 1;
}

/**
 * Puts the run's task back to waiting: after a preemption (counted, no attempt spent), a capacity
 * refusal (nothing spent), or a retryable failure (an attempt spent, the error kept).
 */
export async function requeueRun(db: Database, id: string, runId: string, opts: { cause: "preempted" | "capacity" | "failure"; error?: TaskError | undefined; availableAt: number; until: number }, now: number): Promise<boolean> {
  const rows = await db
    .update(tasks)
    .set({
      status: "queued",
      runId: null,
      availableAt: opts.availableAt,
      leaseUntil: opts.until,
      updatedAt: now,
      ...(opts.cause === "preempted" ? { preemptions: sql`${tasks.preemptions} + 1` } : {}),
      ...(opts.cause === "failure" ? { attempts: sql`${tasks.attempts} + 1`, error: opts.error ?? null } : {}),
    })
    .where(and(eq(tasks.id, id), eq(tasks.runId, runId), eq(tasks.status, "running")))
    .returning({ id: tasks.id });
  return rows.length === 1;
}

/** Marks a task whose deadline passed before it could run. */
export async function expireTask(db: Database, id: string, now: number): Promise<void> {
  await db
    .update(tasks)
    .set({ status: "expired", finishedAt: now, updatedAt: now, leaseUntil: null, runId: null, error: { message: "the deadline passed before the task could run", type: "task_expired", code: "deadline_exceeded" } })
    .where(and(eq(tasks.id, id), eq(tasks.status, "queued")));
}

/**
 * Fails a task outside a run (a dead-lettered message, a model no longer served). With
 * `onlyIfIdle`, a task that a live run or hold has now is left alone: that run decides.
 */
export async function failTask(db: Database, id: string, error: TaskError, now: number, opts: { onlyIfIdle?: boolean } = {}): Promise<void> {
  const idle = opts.onlyIfIdle ? or(isNull(tasks.runId), lt(tasks.leaseUntil, now)) : undefined;
  await db.update(tasks).set({ status: "failed", error, finishedAt: now, updatedAt: now, leaseUntil: null, runId: null }).where(and(eq(tasks.id, id), inArray(tasks.status, ["queued", "running"]), idle));
}

/**
 * The sweeper: tasks of a provider whose accounting ran out (message lost, consumer died) go back
 * to `queued` with a fresh window; returns their ids to re-enqueue. Overdue queued tasks expire.
 */
export async function sweepStuck(db: Database, provider: string, now: number, windowMs: number): Promise<{ requeue: string[]; expired: number; open: number }> {
  const expired = await db
    .update(tasks)
    .set({ status: "expired", finishedAt: now, updatedAt: now, leaseUntil: null, error: { message: "the deadline passed before the task could run", type: "task_expired", code: "deadline_exceeded" } })
    .where(and(eq(tasks.provider, provider), eq(tasks.status, "queued"), lt(tasks.deadline, now)))
    .returning({ id: tasks.id });
  const stuck = await db
    .update(tasks)
    .set({ status: "queued", runId: null, leaseUntil: now + windowMs, updatedAt: now })
    .where(and(eq(tasks.provider, provider), inArray(tasks.status, ["queued", "running"]), lt(tasks.leaseUntil, now)))
    .returning({ id: tasks.id });
  const open = await db.select({ n: sql<number>`count(*)` }).from(tasks).where(and(eq(tasks.provider, provider), inArray(tasks.status, ["queued", "running"]))).get();
  return { requeue: stuck.map((r) => r.id), expired: expired.length, open: open?.n ?? 0 };
}

/** Counts of a provider's tasks by status, for the status page. */
export async function taskCounts(db: Database): Promise<Map<string, Record<string, number>>> {
  const rows = await db.select({ provider: tasks.provider, status: tasks.status, n: sql<number>`count(*)` }).from(tasks).where(inArray(tasks.status, ["queued", "running"])).groupBy(tasks.provider, tasks.status).all();
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) out.set(r.provider, { ...(out.get(r.provider) ?? {}), [r.status]: r.n });
  return out;
}
