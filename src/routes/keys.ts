/** `/api/keys`: mint a key (shown once), list keys (never the key), revoke. */
import { and, desc, eq, isNull, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { forgetCachedKeys, mintKey } from "../auth/api-keys.ts";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database } from "../db/client.ts";
import { apiKeys } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";

export const newKey = z.strictObject({
  name: z.string().trim().min(1, "name is required").max(100),
  models: z.array(z.string().min(1)).min(1).optional(),
});

export type KeyRow = typeof apiKeys.$inferSelect;

export const view = (k: KeyRow) => ({
  id: k.id,
  object: "api_key" as const,
  name: k.name,
  prefix: k.prefix,
  user_id: k.userId,
  models: k.allowedModels ?? null,
  created_at: k.createdAt,
  last_used_at: k.lastUsedAt,
  revoked_at: k.revokedAt,
});

export const keyRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const input = parseInput(newKey, await readJson(c.req.raw));
    const principal = c.get("principal");
    // A key limited to some models can only mint keys limited to (some of) the same models.
    const limit = principal.allowedModels;
    if (limit && (!input.models || input.models.some((m) => !limit.includes(m)))) {
      throw new GatewayError("forbidden", `this key may only create keys limited to its own models: ${limit.join(", ")}`, { param: "models", code: "models_not_allowed" });
    }
    const { key, hash, prefix } = await mintKey();
    const row: KeyRow = { id: crypto.randomUUID(), userId: principal.userId, name: input.name, keyHash: hash, prefix, allowedModels: input.models ?? null, createdAt: Date.now(), lastUsedAt: null, revokedAt: null };
    await database(c.env.DB).insert(apiKeys).values(row);
    return c.json({ ...view(row), key }, 201);
  })
  .get("/", async (c) => {
    const principal = c.get("principal");
    const where: SQL[] = [];
    if (principal.role !== "admin") where.push(eq(apiKeys.userId, principal.userId ?? ""));
    const rows = await database(c.env.DB).select().from(apiKeys).where(and(...where)).orderBy(desc(apiKeys.createdAt)).all();
    return c.json({ object: "list", data: rows.map(view) });
  })
  .delete("/:id", async (c) => {
    const principal = c.get("principal");
    const db = database(c.env.DB);
    const row = await db.select().from(apiKeys).where(eq(apiKeys.id, c.req.param("id"))).get();
    // Another user's key answers like a missing one.
    if (!row || (principal.role !== "admin" && row.userId !== principal.userId)) throw new GatewayError("not_found", "no such API key", { code: "key_not_found" });
    await db.update(apiKeys).set({ revokedAt: Date.now() }).where(and(eq(apiKeys.id, row.id), isNull(apiKeys.revokedAt)));
    forgetCachedKeys();
    return c.json({ id: row.id, object: "api_key", revoked: true });
  });
