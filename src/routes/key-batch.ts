/**
 * `POST /api/keys/batch`: create and revoke several API keys at once, all or nothing. Each
 * `create` item is what `POST /api/keys` takes, and each new key is shown once, in this answer;
 * `revoke` lists key ids (the caller's own; an admin's, any). Every item is checked before one D1
 * batch makes the change; a bad item is an error naming it (`create.1.name`, `revoke.0`).
 */
import { and, inArray, isNull } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { forgetCachedKeys, mintKey } from "../auth/api-keys.ts";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { insertGroups, listGroups } from "../db/bound-values.ts";
import { database } from "../db/client.ts";
import { apiKeys } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { checkKeyPower, keyRowOf, newKey, view, type KeyRow } from "./keys.ts";

/** The most items of each kind in one batch. */
const MAX_ITEMS = 100;

/** What POST /api/keys/batch takes. */
export const keyBatchRequest = z.strictObject({
  create: z.array(newKey).max(MAX_ITEMS).optional(),
  revoke: z.array(z.string().min(1)).max(MAX_ITEMS).optional(),
});

export const keyBatchRoutes = new Hono<AppEnv>().post("/", async (c) => {
  const input = parseInput(keyBatchRequest, await readJson(c.req.raw));
  const create = input.create ?? [];
  const revoke = input.revoke ?? [];
  const principal = c.get("principal");
  // As POST /api/keys: a key with limits of its own manages no keys; one limited to some models only keys limited to them.
  if (revoke.length) checkKeyPower(principal, undefined);
  create.forEach((k, i) => {
    try {
      checkKeyPower(principal, principal.allowedModels ? (k.models ?? null) : k.models);
    } catch (error) {
      if (error instanceof GatewayError) throw new GatewayError(error.kind, `create.${i}: ${error.message}`, { param: error.param ? `create.${i}.${error.param}` : `create.${i}`, code: error.code });
      throw error;
    }
  });

  const db = database(c.env.DB);
  const found = (await Promise.all(listGroups(revoke).map((ids) => db.select({ id: apiKeys.id, userId: apiKeys.userId }).from(apiKeys).where(inArray(apiKeys.id, ids)).all()))).flat();
  revoke.forEach((id, i) => {
    if (revoke.indexOf(id) !== i) throw new GatewayError("invalid_request", `revoke.${i}: '${id}' is listed twice`, { param: `revoke.${i}`, code: "invalid_value" });
    const row = found.find((r) => r.id === id);
    // Another user's key answers like a missing one.
    if (!row || (principal.role !== "admin" && row.userId !== principal.userId)) throw new GatewayError("not_found", `revoke.${i}: no such API key`, { param: `revoke.${i}`, code: "key_not_found" });
  });

  const now = Date.now();
  const minted = await Promise.all(create.map(() => mintKey()));
  const rows: KeyRow[] = create.map((k, i) => keyRowOf(k, principal, minted[i]!, now));
  const statements = [
    ...insertGroups(rows).map((group) => db.insert(apiKeys).values(group)),
    ...listGroups(revoke).map((ids) => db.update(apiKeys).set({ revokedAt: now }).where(and(inArray(apiKeys.id, ids), isNull(apiKeys.revokedAt)))),
  ];
  if (statements.length) await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
  if (revoke.length) forgetCachedKeys();
  return c.json(
    {
      object: "api_key_batch",
      created: rows.map((r, i) => ({ ...view(r), key: minted[i]!.key })),
      revoked: revoke.map((id) => ({ id, object: "api_key", revoked: true })),
    },
    rows.length ? 201 : 200,
  );
});
