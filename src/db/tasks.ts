/**
 * Task rows and every state change they go through. Each change is a conditional update, so a
 * duplicate queue delivery or a second run can never write a second outcome.
 */
import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, lte, or, sql } from "drizzle-orm";
import { CONFIG_OWNER, ROOT_OWNER } from "../auth/principal.ts";
import type { Database } from "./client.ts";
import { tasks, users } from "./schema.ts";

export type TaskRow = typeof tasks.$inferSelect;
export type TaskStatus = TaskRow["status"];
export const TERMINAL: readonly TaskStatus[] = ["succeeded", "failed", "cancelled", "expired"];

export interface TaskError {
  message: string;
  type: string;
  code: string | null;
  /** On an expired task: the error of its last try, if it had one. */
  last_error?: TaskError | null;
}

export async function insertTask(db: Database, row: typeof tasks.$inferInsert): Promise<void> {
  await db.insert(tasks).values(row);
}

export async function findTask(db: Database, id: string): Promise<TaskRow | undefined> {
  return db.select().from(tasks).where(eq(tasks.id, id)).get();
}

/** A task and whether its owner may still have work run (a root-made key's tasks always may). */
export async function findTaskToRun(db: Database, id: string): Promise<{ row: TaskRow; ownerActive: boolean } | undefined> {
  const found = await db.select({ row: tasks, ownerId: users.id, disabledAt: users.disabledAt }).from(tasks).leftJoin(users, eq(users.id, tasks.ownerId)).where(eq(tasks.id, id)).get();
  if (!found) return undefined;
  const ownerActive = found.row.ownerId === ROOT_OWNER || found.row.ownerId === CONFIG_OWNER || (found.ownerId !== null && found.disabledAt === null);
  return { row: found.row, ownerActive };
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

/**
 * Holds the next due queued task, in the governor's order: a task due within `urgentWithinMs`
 * first, earliest deadline first; otherwise the tenant with the fewest tasks held or running, and
 * its earliest deadline. So runners take turns between tenants, and the governor sees waiters
 * from every tenant with work. Undefined when nothing is due.
 */
export async function holdNextDue(db: Database, hold: string, until: number, now: number, urgentWithinMs: number): Promise<string | undefined> {
  const active = db
    .select({ ownerId: tasks.ownerId, n: sql<number>`count(*)`.as("n") })
    .from(tasks)
    .where(and(inArray(tasks.status, ["queued", "running"]), isNotNull(tasks.runId), gte(tasks.leaseUntil, now)))
    .groupBy(tasks.ownerId)
    .as("active");
  const next = db
    .select({ id: tasks.id })
    .from(tasks)
    .leftJoin(active, eq(active.ownerId, tasks.ownerId))
    .where(and(eq(tasks.status, "queued"), lte(tasks.availableAt, now), free(undefined, now)))
    .orderBy(
      sql`case when ${tasks.deadline} <= ${now + urgentWithinMs} then 0 else 1 end`,
      sql`case when ${tasks.deadline} <= ${now + urgentWithinMs} then 0 else coalesce(${active.n}, 0) end`,
      asc(tasks.deadline),
      asc(tasks.createdAt),
      asc(tasks.id),
    )
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
    .where(and(eq(tasks.id, id), eq(tasks.status, "queued"), free(hold, now)))
    .returning({ id: tasks.id });
  return rows.length === 1;
}

/** Lets go of a hold without running (no slot in time): the task waits again, due at `availableAt`. */
export async function releaseHold(db: Database, id: string, hold: string, availableAt: number, now: number): Promise<void> {
  await db
    .update(tasks)
    .set({ runId: null, leaseUntil: null, availableAt, updatedAt: now })
    .where(and(eq(tasks.id, id), eq(tasks.status, "queued"), eq(tasks.runId, hold)));
}

/** Keeps holds and runs alive: one statement for every token an invocation has; returns the tokens still held. */
export async function extendClaims(db: Database, tokens: string[], until: number): Promise<Set<string>> {
  if (tokens.length === 0) return new Set();
  const rows = await db
    .update(tasks)
    .set({ leaseUntil: until })
    .where(and(inArray(tasks.runId, tokens), inArray(tasks.status, ["queued", "running"])))
    .returning({ runId: tasks.runId });
  return new Set(rows.map((r) => r.runId!));
}

/** How a try ended, for the task's counters: `attempts` counts every try that ended; capacity refusals are also counted apart. */
const counted = (capacityRefusal: boolean) => ({
  attempts: sql`${tasks.attempts} + 1`,
  ...(capacityRefusal ? { capacityRetries: sql`${tasks.capacityRetries} + 1` } : {}),
});

/** Ends the run with its outcome; false when the run no longer holds the task (cancelled, swept). */
export async function finishRun(
  db: Database,
  id: string,
  runId: string,
  outcome: { status: "succeeded"; result: unknown; costUsd: number | null } | { status: "failed"; error: TaskError; capacityRefusal?: boolean },
  now: number,
): Promise<boolean> {
  const rows = await db
    .update(tasks)
    .set({
      status: outcome.status,
      result: outcome.status === "succeeded" ? outcome.result : null,
      costUsd: outcome.status === "succeeded" ? outcome.costUsd : null,
      error: outcome.status === "failed" ? outcome.error : null,
      ...counted(outcome.status === "failed" && outcome.capacityRefusal === true),
      finishedAt: now,
      updatedAt: now,
      leaseUntil: null,
      runId: null,
    })
    .where(and(eq(tasks.id, id), eq(tasks.runId, runId), eq(tasks.status, "running")))
    .returning({ id: tasks.id });
  return rows.length === 1;
}

/**
 * Puts the run's task back to waiting, due at `availableAt`: after a preemption (counted apart,
 * no try spent), a capacity refusal (a try, counted as one), or a retryable failure (a try). The
 * last error is kept.
 */
export async function requeueRun(db: Database, id: string, runId: string, opts: { cause: "preempted" | "lost" | "capacity" | "failure"; error?: TaskError | undefined; availableAt: number }, now: number): Promise<boolean> {
  const tried = opts.cause === "capacity" || opts.cause === "failure";
  const rows = await db
    .update(tasks)
    .set({
      status: "queued",
      runId: null,
      leaseUntil: null,
      availableAt: opts.availableAt,
      updatedAt: now,
      ...(opts.cause === "preempted" ? { preemptions: sql`${tasks.preemptions} + 1` } : {}),
      ...(tried ? { ...counted(opts.cause === "capacity"), error: opts.error ?? null } : {}),
    })
    .where(and(eq(tasks.id, id), eq(tasks.runId, runId), eq(tasks.status, "running")))
    .returning({ id: tasks.id });
  return rows.length === 1;
}

/**
 * A try that broke on an unexpected error (a bug, not the provider's answer): counted as a failed
 * try, so a task that keeps breaking ends `failed` with the reason after `maxFailures`, instead
 * of being retried for ever. Only a try this runner holds (by `tokens`) is counted.
 */
export async function recordBrokenTry(db: Database, id: string, tokens: string[], error: TaskError, opts: { maxFailures: number; availableAt: number }, now: number): Promise<void> {
  const exhausted = sql`${tasks.attempts} + 1 - ${tasks.capacityRetries} >= ${opts.maxFailures}`;
  await db
    .update(tasks)
    .set({
      status: sql`case when ${exhausted} then 'failed' else 'queued' end`,
      finishedAt: sql`case when ${exhausted} then ${now} else null end`,
      attempts: sql`${tasks.attempts} + 1`,
      error,
      runId: null,
      leaseUntil: null,
      availableAt: opts.availableAt,
      updatedAt: now,
    })
    .where(and(eq(tasks.id, id), inArray(tasks.runId, tokens), inArray(tasks.status, ["queued", "running"])));
}

/**
 * Puts off a try the gateway could not make for a reason of its own state (the scheduler
 * restarting, a provider misconfigured): not the task's fault, so no try is counted; the task
 * waits until `availableAt` (its deadline still applies) and keeps the reason as its last error.
 */
export async function postponeTry(db: Database, id: string, tokens: string[], error: TaskError, availableAt: number, now: number): Promise<void> {
  await db
    .update(tasks)
    .set({ status: "queued", error, runId: null, leaseUntil: null, availableAt, updatedAt: now })
    .where(and(eq(tasks.id, id), inArray(tasks.runId, tokens), inArray(tasks.status, ["queued", "running"])));
}

/** The error an expired task carries: what happened, and the last try's error when there was one. */
const expiredError = sql`json_object('message', 'the deadline passed before the task could run', 'type', 'task_expired', 'code', 'deadline_exceeded', 'last_error', json(${tasks.error}))`;

/** Marks a task whose deadline passed before it could run; its last error is kept in `last_error`. */
export async function expireTask(db: Database, id: string, now: number): Promise<void> {
  await db
    .update(tasks)
    .set({ status: "expired", finishedAt: now, updatedAt: now, leaseUntil: null, runId: null, error: expiredError })
    .where(and(eq(tasks.id, id), eq(tasks.status, "queued")));
}

/** Fails a task outside a run (a model no longer served, a request that can never run). */
export async function failTask(db: Database, id: string, error: TaskError, now: number): Promise<void> {
  await db.update(tasks).set({ status: "failed", error, finishedAt: now, updatedAt: now, leaseUntil: null, runId: null }).where(and(eq(tasks.id, id), inArray(tasks.status, ["queued", "running"])));
}

/**
 * The sweeper's pass over every open task: overdue queued tasks expire (keeping their last error);
 * holds whose keeper stopped (the invocation died) are let go; runs whose keeper stopped died
 * mid-call, which counts as a failed try (so a task that kills its invocation ends `failed` after
 * `maxFailures`, not a day of paid calls later); and it counts the tasks due now that nobody
 * holds, which need a consumer woken.
 */
export async function sweepTasks(db: Database, now: number, maxFailures: number): Promise<{ expired: number; reclaimed: number; due: number; open: number }> {
  const expired = await db
    .update(tasks)
    .set({ status: "expired", finishedAt: now, updatedAt: now, leaseUntil: null, runId: null, error: expiredError })
    .where(and(eq(tasks.status, "queued"), lt(tasks.deadline, now)))
    .returning({ id: tasks.id });
  const lapsedHolds = await db
    .update(tasks)
    .set({ runId: null, leaseUntil: null, updatedAt: now })
    .where(and(eq(tasks.status, "queued"), isNotNull(tasks.runId), lt(tasks.leaseUntil, now)))
    .returning({ id: tasks.id });
  const exhausted = sql`${tasks.attempts} + 1 - ${tasks.capacityRetries} >= ${maxFailures}`;
  const lostRuns = await db
    .update(tasks)
    .set({
      status: sql`case when ${exhausted} then 'failed' else 'queued' end`,
      finishedAt: sql`case when ${exhausted} then ${now} else null end`,
      attempts: sql`${tasks.attempts} + 1`,
      error: { message: "the run stopped mid-call: its invocation ended or crashed", type: "server_error", code: "run_lost" },
      runId: null,
      leaseUntil: null,
      updatedAt: now,
    })
    .where(and(eq(tasks.status, "running"), lt(tasks.leaseUntil, now)))
    .returning({ id: tasks.id });
  const reclaimed = [...lapsedHolds, ...lostRuns];
  const counts = await db
    .select({
      open: sql<number>`count(*)`,
      due: sql<number>`coalesce(sum(case when ${tasks.status} = 'queued' and ${tasks.runId} is null and ${tasks.availableAt} <= ${now} then 1 else 0 end), 0)`,
    })
    .from(tasks)
    .where(inArray(tasks.status, ["queued", "running"]))
    .get();
  return { expired: expired.length, reclaimed: reclaimed.length, due: counts?.due ?? 0, open: counts?.open ?? 0 };
}

/** Counts of a provider's tasks by status, for the status page. */
export async function taskCounts(db: Database): Promise<Map<string, Record<string, number>>> {
  const rows = await db.select({ provider: tasks.provider, status: tasks.status, n: sql<number>`count(*)` }).from(tasks).where(inArray(tasks.status, ["queued", "running"])).groupBy(tasks.provider, tasks.status).all();
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) out.set(r.provider, { ...(out.get(r.provider) ?? {}), [r.status]: r.n });
  return out;
}
