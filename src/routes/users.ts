/** `/api/users` (admin): list users, set a user's role. */
import { desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { forgetCachedKeys } from "../auth/api-keys.ts";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database } from "../db/client.ts";
import { users } from "../db/schema.ts";
import { publicUser } from "../db/users.ts";
import type { AppEnv } from "../env.ts";

const rolePatch = z.object({ role: z.enum(["admin", "user"], { message: "role must be 'admin' or 'user'" }) });

export const userRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await database(c.env.DB).select().from(users).orderBy(desc(users.createdAt)).all();
    return c.json({ object: "list", data: rows.map(publicUser) });
  })
  .patch("/:id", async (c) => {
    const { role } = parseInput(rolePatch, await readJson(c.req.raw));
    const db = database(c.env.DB);
    const row = await db.select().from(users).where(eq(users.id, c.req.param("id"))).get();
    if (!row) throw new GatewayError("not_found", "no such user", { code: "user_not_found" });
    await db.update(users).set({ role }).where(eq(users.id, row.id));
    forgetCachedKeys();
    return c.json(publicUser({ ...row, role }));
  });
