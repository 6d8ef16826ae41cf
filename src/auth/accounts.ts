/** User accounts: the sign-up fields, creating an account, and checking a password in constant work. */
import { z } from "zod";
import { hashPassword, verifyPassword } from "../core/crypto.ts";
import type { Database } from "../db/client.ts";
import { createUser, type UserRow } from "../db/users.ts";

/** `{username, email, password}`: the fields of a new account, nothing else. */
export const newAccount = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9_.-]{3,32}$/, "username must be 3-32 letters, digits, '.', '_' or '-'"),
  email: z.email("email must be a valid address"),
  password: z.string().min(8, "password must be at least 8 characters").max(256),
});
export type NewAccount = z.output<typeof newAccount>;

/** Hashes the password and stores the account; `taken` when the username or email exists. */
export async function createAccount(db: Database, input: NewAccount, role: UserRow["role"] = "user"): Promise<ReturnType<typeof createUser>> {
  const { hash, salt } = await hashPassword(input.password);
  return createUser(db, { username: input.username, email: input.email.toLowerCase(), passwordHash: hash, passwordSalt: salt, role });
}

/** Stand-in password material for a login name with no user: checking against it costs what a real check costs. */
const NO_USER = { passwordHash: "0".repeat(64), passwordSalt: "no-such-user-0000000000000000000" };

/** Whether `password` is the user's; with no user it does the same work and answers false. */
export async function passwordMatches(user: Pick<UserRow, "passwordHash" | "passwordSalt"> | undefined, password: string): Promise<boolean> {
  const material = user ?? NO_USER;
  const ok = await verifyPassword(password, material.passwordHash, material.passwordSalt);
  return ok && user !== undefined;
}
