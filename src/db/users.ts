/** User rows: create (unique username and email), find by login, list, change role, disable, delete. */
import { and, desc, eq, inArray, isNull, or } from "drizzle-orm";
import { limitsView } from "../limits/limit-input.ts";
import type { Database } from "./client.ts";
import { isUniqueViolation } from "./errors.ts";
import { apiKeys, models, providers, users } from "./schema.ts";

export type UserRow = typeof users.$inferSelect;
export type NewUser = Pick<UserRow, "username" | "email" | "passwordHash" | "passwordSalt"> & { role?: UserRow["role"] };

/** Inserts a user; `taken` names the clashing field, or "either" when a concurrent insert won the race. */
export async function createUser(db: Database, input: NewUser): Promise<{ user: UserRow } | { taken: "username" | "email" | "either" }> {
  const clash = await db.select({ username: users.username }).from(users).where(or(eq(users.username, input.username), eq(users.email, input.email))).get();
  if (clash) return { taken: clash.username === input.username ? "username" : "email" };
  const row: UserRow = { ...input, role: input.role ?? "user", id: crypto.randomUUID(), createdAt: Date.now(), disabledAt: null, rpm: null, tpm: null, dailyBudgetUsd: null, monthlyBudgetUsd: null };
  try {
    await db.insert(users).values(row);
  } catch (error) {
    if (isUniqueViolation(error)) return { taken: "either" };
    throw error;
  }
  return { user: row };
}

/** By username, or by email (case-insensitive). */
export async function findUserByLogin(db: Database, login: string): Promise<UserRow | undefined> {
  return db.select().from(users).where(or(eq(users.username, login), eq(users.email, login.toLowerCase()))).get();
}

export async function findUser(db: Database, id: string): Promise<UserRow | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get();
}

export async function listUsers(db: Database): Promise<UserRow[]> {
  return db.select().from(users).orderBy(desc(users.createdAt)).all();
}

export async function setRole(db: Database, id: string, role: UserRow["role"]): Promise<void> {
  await db.update(users).set({ role }).where(eq(users.id, id));
}

/** Sets (or, with null, clears) the user's rate and spend limits. */
export async function setLimits(db: Database, id: string, limits: Partial<Pick<UserRow, "rpm" | "tpm" | "dailyBudgetUsd" | "monthlyBudgetUsd">>): Promise<void> {
  await db.update(users).set(limits).where(eq(users.id, id));
}

/** Disables (and revokes every key of) a user, or enables them again; revoked keys stay revoked. */
export async function setDisabled(db: Database, id: string, disabled: boolean, now: number): Promise<void> {
  if (!disabled) return void (await db.update(users).set({ disabledAt: null }).where(eq(users.id, id)));
  await db.batch([
    db.update(users).set({ disabledAt: now }).where(eq(users.id, id)),
    db.update(apiKeys).set({ revokedAt: now }).where(and(eq(apiKeys.userId, id), isNull(apiKeys.revokedAt))),
  ]);
}

/** Deletes a user and their keys, in one batch. */
/** Deletes a user with their keys and their own providers (model configurations). */
export async function deleteUser(db: Database, id: string): Promise<void> {
  const owned = db.select({ id: providers.id }).from(providers).where(eq(providers.ownerUserId, id));
  await db.batch([
    db.delete(apiKeys).where(eq(apiKeys.userId, id)),
    db.delete(models).where(inArray(models.providerId, owned)),
    db.delete(providers).where(eq(providers.ownerUserId, id)),
    db.delete(users).where(eq(users.id, id)),
  ]);
}

/** Users without their password material. */
export function publicUser(u: UserRow) {
  return { id: u.id, object: "user" as const, username: u.username, email: u.email, role: u.role, ...limitsView(u), created_at: u.createdAt, disabled_at: u.disabledAt };
}
