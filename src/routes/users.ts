/**
 * `/api/users` (admin): list, create, change role or limits (rpm, tpm, daily and monthly budgets
 * over all the user's keys), disable or enable, delete. Disabling and
 * deleting revoke the user's keys, cancel their open tasks, and end their tokens at once in this
 * isolate (in others within the key cache's 30 s).
 */
import { Hono } from "hono";
import { z } from "zod";
import { createAccount, newAccount } from "../auth/accounts.ts";
import { forgetCachedKeys } from "../auth/api-keys.ts";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database, type Database } from "../db/client.ts";
import { cancelOpenTasks } from "../db/tasks.ts";
import { deleteUser, findUser, listUsers, publicUser, setDisabled, setLimits, setRole } from "../db/users.ts";
import { limitColumns, limitFields } from "../limits/limit-input.ts";
import type { AppEnv } from "../env.ts";

const role = z.enum(["admin", "user"], { message: "role must be 'admin' or 'user'" });
export const newUser = newAccount.extend({ role: role.optional() });
export const userPatch = z
  .strictObject({ role: role.optional(), disabled: z.boolean({ message: "disabled must be true or false" }).optional(), ...limitFields })
  .refine((p) => Object.keys(p).length > 0, { message: "send at least one of role, disabled, rpm, tpm, daily_budget_usd, monthly_budget_usd" });

async function mustFind(db: Database, id: string) {
  const row = await findUser(db, id);
  if (!row) throw new GatewayError("not_found", "no such user", { code: "user_not_found" });
  return row;
}

export const userRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ object: "list", data: (await listUsers(database(c.env.DB))).map(publicUser) }))
  .post("/", async (c) => {
    const input = parseInput(newUser, await readJson(c.req.raw));
    const made = await createAccount(database(c.env.DB), input, input.role);
    if ("taken" in made) {
      const field = made.taken === "either" ? null : made.taken;
      throw new GatewayError("conflict", `that ${field ?? "username or email"} is already registered`, { param: field, code: "user_exists" });
    }
    return c.json(publicUser(made.user), 201);
  })
  .patch("/:id", async (c) => {
    const patch = parseInput(userPatch, await readJson(c.req.raw));
    const db = database(c.env.DB);
    const row = await mustFind(db, c.req.param("id"));
    const now = Date.now();
    if (patch.role) await setRole(db, row.id, patch.role);
    const limits = limitColumns(patch);
    if (Object.keys(limits).length > 0) await setLimits(db, row.id, limits);
    if (patch.disabled !== undefined) {
      await setDisabled(db, row.id, patch.disabled, now);
      if (patch.disabled) await cancelOpenTasks(db, row.id, now);
    }
    forgetCachedKeys();
    return c.json(publicUser((await findUser(db, row.id)) ?? row));
  })
  .delete("/:id", async (c) => {
    const db = database(c.env.DB);
    const row = await mustFind(db, c.req.param("id"));
    await cancelOpenTasks(db, row.id, Date.now());
    await deleteUser(db, row.id);
    forgetCachedKeys();
    return c.json({ id: row.id, object: "user", deleted: true });
  });
