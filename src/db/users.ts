/** User rows: create (unique username and email), find by login, list, change role. */
import { eq, or } from "drizzle-orm";
import { GatewayError } from "../core/errors.ts";
import type { Database } from "./client.ts";
import { isUniqueViolation } from "./errors.ts";
import { users } from "./schema.ts";

export type UserRow = typeof users.$inferSelect;

export async function createUser(db: Database, input: { username: string; email: string; passwordHash: string; passwordSalt: string }): Promise<UserRow> {
  const taken = await db.select({ username: users.username }).from(users).where(or(eq(users.username, input.username), eq(users.email, input.email))).get();
  if (taken) {
    const field = taken.username === input.username ? "username" : "email";
    throw new GatewayError("conflict", `that ${field} is already registered`, { param: field, code: `${field}_taken` });
  }
  const row = { ...input, id: crypto.randomUUID(), role: "user" as const, createdAt: Date.now() };
  try {
    await db.insert(users).values(row);
  } catch (error) {
    // Another registration with the same username or email won the race.
    if (isUniqueViolation(error)) throw new GatewayError("conflict", "that username or email is already registered", { code: "user_exists" });
    throw error;
  }
  return row;
}

/** By username, or by email (case-insensitive). */
export async function findUserByLogin(db: Database, login: string): Promise<UserRow | undefined> {
  return db.select().from(users).where(or(eq(users.username, login), eq(users.email, login.toLowerCase()))).get();
}

/** Users without their password material. */
export function publicUser(u: UserRow) {
  return { id: u.id, object: "user" as const, username: u.username, email: u.email, role: u.role, created_at: u.createdAt };
}
