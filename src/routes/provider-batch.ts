/**
 * `POST /api/providers/batch` (admin): create, update and delete several providers at once, each
 * item in the single routes' words (`create` as POST, `update` as PATCH plus the `id` or `name`
 * it changes, `delete` ids or names). All or nothing: every item is checked first, and a bad one
 * is an error naming it (`update.1.limits.max_concurrency`); then one D1 batch makes every change.
 */
import type { Context } from "hono";
import { z } from "zod";
import { GatewayError } from "../core/errors.ts";
import { atPath, parseInput, readJson } from "../core/validate.ts";
import { database } from "../db/client.ts";
import { listProviderRows } from "../db/providers.ts";
import type { AppEnv } from "../env.ts";
import { providerDefinition, providerFields } from "../providers/definition.ts";
import { applyProviderChanges, assertUsableHere, mustFindIn, patchedDefinition, providerViews, type ProviderChange } from "../providers/stored-providers.ts";

/** The most items of each kind in one batch. */
export const MAX_BATCH_ITEMS = 100;

const providerUpdate = providerFields
  .partial()
  .extend({ id: z.string().min(1).optional() })
  .refine((u) => u.id !== undefined || u.name !== undefined, { message: "an update names its provider with id (or name)", path: ["id"] });

/** What POST /api/providers/batch takes. */
export const providerBatchRequest = z.strictObject({
  create: z.array(providerDefinition).max(MAX_BATCH_ITEMS).optional(),
  /** Each a patch plus the provider it changes: `id` (then `name` renames it) or `name`. */
  update: z.array(providerUpdate).max(MAX_BATCH_ITEMS).optional(),
  delete: z.array(z.string().min(1)).max(MAX_BATCH_ITEMS).optional(),
});

export async function providerBatch(c: Context<AppEnv>) {
  const input = parseInput(providerBatchRequest, await readJson(c.req.raw));
  const db = database(c.env.DB);
  const stored = await listProviderRows(db);
  const changes: ProviderChange[] = [];
  // A provider is changed by one item at most: two would leave which one wins unclear.
  const changedBy = new Map<string, string>();
  const claim = (id: string, at: string) => {
    const first = changedBy.get(id);
    if (first) throw new GatewayError("invalid_request", `${at}: this provider is already changed by ${first}`, { param: at, code: "invalid_value" });
    changedBy.set(id, at);
  };

  for (const [i, ref] of (input.delete ?? []).entries()) {
    const at = `delete.${i}`;
    const current = await atPath(at, () => mustFindIn(stored, ref));
    claim(current.row.id, at);
    changes.push({ op: "delete", current, at });
  }
  for (const [i, { id, ...patch }] of (input.update ?? []).entries()) {
    const at = `update.${i}`;
    const current = await atPath(`${at}.${id !== undefined ? "id" : "name"}`, () => mustFindIn(stored, id ?? patch.name!));
    claim(current.row.id, at);
    const def = await atPath(at, () => {
      const merged = patchedDefinition(current, patch);
      assertUsableHere(c.env, merged);
      return merged;
    });
    changes.push({ op: "update", current, def, at });
  }
  for (const [i, def] of (input.create ?? []).entries()) {
    const at = `create.${i}`;
    await atPath(at, () => assertUsableHere(c.env, def));
    changes.push({ op: "create", id: crypto.randomUUID(), def, at });
  }

  await applyProviderChanges(c.env, db, changes);
  const views = await providerViews(c.env, db);
  const viewOf = (id: string) => views.find((v) => v.id === id);
  return c.json({
    object: "provider_batch",
    created: changes.flatMap((ch) => (ch.op === "create" ? [viewOf(ch.id)] : [])),
    updated: changes.flatMap((ch) => (ch.op === "update" ? [viewOf(ch.current.row.id)] : [])),
    deleted: changes.flatMap((ch) => (ch.op === "delete" ? [{ id: ch.current.row.id, object: "provider", name: ch.current.row.name, deleted: true }] : [])),
  });
}
