/**
 * `/api/keys`: mint a key (shown once) with its limits, list and read keys (never the key), edit
 * a key's limits, rotate its secret (same id and limits), revoke. Users manage their own keys;
 * admins everyone's.
 */
import { and, desc, eq, isNull, type SQL } from "drizzle-orm";
import { Hono, type Context } from "hono";
import { z } from "zod";
import { forgetCachedKeys, mintKey } from "../auth/api-keys.ts";
import type { Principal } from "../auth/principal.ts";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database } from "../db/client.ts";
import { apiKeys } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { expiry, ipList, limitColumns, limitFields, limitsView } from "../limits/limit-input.ts";
import { keySpend } from "../limits/spend-limits.ts";

const models = z.array(z.string().min(1)).min(1);

export const newKey = z.strictObject({
  name: z.string().trim().min(1, "name is required").max(100),
  models: models.optional(),
  ...limitFields,
  expires_at: expiry.refine((t) => Date.parse(t) > Date.now(), "expires_at is in the past").optional(),
  allowed_ips: ipList.optional(),
});

export const keyPatch = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    models: models.nullable().optional(),
    ...limitFields,
    // A time in the past ends the key now.
    expires_at: expiry.nullable().optional(),
    allowed_ips: ipList.nullable().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: "send at least one field to change" });

export type KeyRow = typeof apiKeys.$inferSelect;

export const view = (k: KeyRow) => ({
  id: k.id,
  object: "api_key" as const,
  name: k.name,
  prefix: k.prefix,
  user_id: k.userId,
  models: k.allowedModels ?? null,
  ...limitsView(k),
  expires_at: k.expiresAt === null ? null : new Date(k.expiresAt).toISOString(),
  allowed_ips: k.allowedIps ?? null,
  created_at: k.createdAt,
  last_used_at: k.lastUsedAt,
  revoked_at: k.revokedAt,
});

/**
 * What a credential may do to keys: a key limited to some models only makes and edits keys
 * limited to (some of) the same; a key with limits of its own (rates, budgets, an end, addresses)
 * manages no keys, so it cannot mint its way out of them.
 */
export function checkKeyPower(principal: Principal, models: string[] | null | undefined): void {
  if (principal.limits?.key || principal.expiresAt != null || principal.allowedIps) {
    throw new GatewayError("forbidden", "a key with its own limits cannot manage keys; use your account's token or an unrestricted key", { code: "restricted_key" });
  }
  const limit = principal.allowedModels;
  if (limit && models !== undefined && (!models || models.some((m) => !limit.includes(m)))) {
    throw new GatewayError("forbidden", `this key may only manage keys limited to its own models: ${limit.join(", ")}`, { param: "models", code: "models_not_allowed" });
  }
}

/** The row of a new key, as `POST /api/keys` (and the batch) take it. */
export function keyRowOf(input: z.output<typeof newKey>, principal: Principal, minted: { hash: string; prefix: string }, now: number): KeyRow {
  return {
    id: crypto.randomUUID(),
    userId: principal.userId,
    name: input.name,
    keyHash: minted.hash,
    prefix: minted.prefix,
    allowedModels: input.models ?? null,
    rpm: input.rpm ?? null,
    tpm: input.tpm ?? null,
    dailyBudgetUsd: input.daily_budget_usd ?? null,
    monthlyBudgetUsd: input.monthly_budget_usd ?? null,
    expiresAt: input.expires_at ? Date.parse(input.expires_at) : null,
    allowedIps: input.allowed_ips ?? null,
    createdAt: now,
    lastUsedAt: null,
    revokedAt: null,
  };
}

/** The key with this id, if the caller may see it (another user's answers like a missing one). */
async function visibleKey(c: Context<AppEnv>): Promise<KeyRow> {
  const principal = c.get("principal");
  const row = await database(c.env.DB).select().from(apiKeys).where(eq(apiKeys.id, c.req.param("id") ?? "")).get();
  if (!row || (principal.role !== "admin" && row.userId !== principal.userId)) throw new GatewayError("not_found", "no such API key", { code: "key_not_found" });
  return row;
}

export const keyRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const input = parseInput(newKey, await readJson(c.req.raw));
    const principal = c.get("principal");
    checkKeyPower(principal, principal.allowedModels ? (input.models ?? null) : input.models);
    const minted = await mintKey();
    const row = keyRowOf(input, principal, minted, Date.now());
    await database(c.env.DB).insert(apiKeys).values(row);
    return c.json({ ...view(row), key: minted.key }, 201);
  })
  .get("/", async (c) => {
    const principal = c.get("principal");
    const where: SQL[] = [];
    if (principal.role !== "admin") where.push(eq(apiKeys.userId, principal.userId ?? ""));
    const rows = await database(c.env.DB).select().from(apiKeys).where(and(...where)).orderBy(desc(apiKeys.createdAt)).all();
    return c.json({ object: "list", data: rows.map(view) });
  })
  .get("/:id", async (c) => {
    const row = await visibleKey(c);
    return c.json({ ...view(row), spend: await keySpend(c.env, row) });
  })
  .patch("/:id", async (c) => {
    const patch = parseInput(keyPatch, await readJson(c.req.raw));
    checkKeyPower(c.get("principal"), patch.models);
    const row = await visibleKey(c);
    if (row.revokedAt !== null) throw new GatewayError("conflict", "this API key is revoked", { code: "key_revoked" });
    const set: Partial<KeyRow> = { ...limitColumns(patch) };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.models !== undefined) set.allowedModels = patch.models;
    if (patch.expires_at !== undefined) set.expiresAt = patch.expires_at === null ? null : Date.parse(patch.expires_at);
    if (patch.allowed_ips !== undefined) set.allowedIps = patch.allowed_ips;
    const [updated] = await database(c.env.DB).update(apiKeys).set(set).where(eq(apiKeys.id, row.id)).returning();
    forgetCachedKeys();
    return c.json(view(updated ?? { ...row, ...set }));
  })
  .post("/:id/rotate", async (c) => {
    checkKeyPower(c.get("principal"), undefined);
    const row = await visibleKey(c);
    if (row.revokedAt !== null) throw new GatewayError("conflict", "this API key is revoked; create a new one", { code: "key_revoked" });
    const { key, hash, prefix } = await mintKey();
    const [updated] = await database(c.env.DB).update(apiKeys).set({ keyHash: hash, prefix }).where(and(eq(apiKeys.id, row.id), isNull(apiKeys.revokedAt))).returning();
    forgetCachedKeys();
    return c.json({ ...view(updated ?? { ...row, keyHash: hash, prefix }), key });
  })
  .delete("/:id", async (c) => {
    const row = await visibleKey(c);
    await database(c.env.DB).update(apiKeys).set({ revokedAt: Date.now() }).where(and(eq(apiKeys.id, row.id), isNull(apiKeys.revokedAt)));
    forgetCachedKeys();
    return c.json({ id: row.id, object: "api_key", revoked: true });
  });
