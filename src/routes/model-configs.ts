/**
 * Seed 000's model configurations (`/api/model/`): a user adds their own provider key for a model.
 * It becomes a deployment only that user (and their keys) sees and calls: their calls to that
 * model use it instead of the team's (their key, their bill), and `POST /api/request/` takes its id
 * as `model_config_id`. On the same key and model as a team deployment it shares that one's
 * capacity (one governor); otherwise it has its own. The key is sealed and never shown back.
 */
import { and, eq } from "drizzle-orm";
import { Hono, type Context } from "hono";
import { z } from "zod";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database } from "../db/client.ts";
import { replaceModels, storedCredential } from "../db/providers.ts";
import { models, providers } from "../db/schema.ts";
import { settings, type AppEnv } from "../env.ts";
import { baseUrlOf, definitionProblem, normaliseModels, providerDefinition, secretReference } from "../providers/definition.ts";
import { providerTypes } from "../providers/presets.ts";
import { definitionContext } from "../routing/configured.ts";
import { forgetRoutes } from "../routing/route-table.ts";

/** Types a user may add a key for: every one with a single API key. */
const USER_TYPES = providerTypes.filter((t) => t !== "token-auth" && t !== "azure");

export const modelConfig = z.strictObject({
  provider: z.enum(USER_TYPES as [string, ...string[]], { message: `provider must be one of: ${USER_TYPES.join(", ")}` }),
  model_name: z.string().min(1).max(200),
  api_key: z
    .string()
    .min(1)
    .refine((k) => !secretReference(k), "api_key is the key itself: secret references are for admins"),
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  max_concurrency: z.number().int().min(1).max(1000).default(10),
});

type Row = typeof providers.$inferSelect;

export const MAX_CONFIGS_PER_USER = 20;

function view(row: Row, model: string) {
  return { id: row.id, object: "model_config" as const, provider: row.type, model_name: model, base_url: row.baseUrl, max_concurrency: row.maxConcurrency, has_api_key: Boolean(row.apiKeyCiphertext), created_at: row.createdAt };
}

function ownerOf(c: Context<AppEnv>): string {
  const userId = c.get("principal").userId;
  if (!userId) throw new GatewayError("forbidden", "model configurations belong to users: call with a user's token or key", { code: "user_only" });
  return userId;
}

async function mine(c: Context<AppEnv>) {
  const db = database(c.env.DB);
  const owner = ownerOf(c);
  const rows = await db.select({ p: providers, m: models }).from(providers).innerJoin(models, eq(models.providerId, providers.id)).where(eq(providers.ownerUserId, owner)).all();
  return rows.map((r) => view(r.p, r.m.name));
}

export const modelConfigRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const owner = ownerOf(c);
    const input = parseInput(modelConfig, await readJson(c.req.raw));
    // Every configuration is decrypted with each route-table build: one user cannot make it slow for all.
    const count = await database(c.env.DB).$count(providers, eq(providers.ownerUserId, owner));
    if (count >= MAX_CONFIGS_PER_USER) throw new GatewayError("conflict", `a user may have at most ${MAX_CONFIGS_PER_USER} model configurations; delete one first`, { code: "too_many_model_configs" });
    const def = parseInput(providerDefinition, { name: `u-${owner.slice(0, 8).toLowerCase().replace(/[^a-z0-9]/g, "x")}-${crypto.randomUUID().slice(0, 8)}`, type: input.provider, ...(input.base_url ? { base_url: input.base_url } : {}), api_key: input.api_key, limits: { max_concurrency: input.max_concurrency }, models: [input.model_name] });
    // A user's base URL reaches a private address only if users are allowed it too, not just admins.
    const problem = definitionProblem(def, { ...definitionContext(c.env), allowPrivateUpstreams: settings(c.env).ALLOW_PRIVATE_USER_UPSTREAMS });
    if (problem) throw new GatewayError("invalid_request", problem.message, { param: problem.param, code: "invalid_value" });
    const db = database(c.env.DB);
    const now = Date.now();
    const row: Row = {
      id: crypto.randomUUID(),
      name: def.name,
      type: def.type,
      baseUrl: baseUrlOf(def),
      ...(await storedCredential(undefined, input.api_key, settings(c.env).ENCRYPTION_KEY)),
      maxConcurrency: input.max_concurrency,
      rpm: null,
      tpm: null,
      options: {},
      keys: null,
      overrides: null,
      ownerUserId: owner,
      createdAt: now,
      updatedAt: now,
    };
    await db.batch([db.insert(providers).values(row), ...replaceModels(db, row.id, normaliseModels(def.models))]);
    forgetRoutes(c.env);
    return c.json(view(row, input.model_name), 201);
  })
  .get("/", async (c) => c.json({ object: "list", data: await mine(c) }))
  .get("/:id", async (c) => {
    const found = (await mine(c)).find((m) => m.id === c.req.param("id"));
    if (!found) throw new GatewayError("not_found", `no model configuration '${c.req.param("id")}'`, { code: "model_config_not_found" });
    return c.json(found);
  })
  .delete("/:id", async (c) => {
    const owner = ownerOf(c);
    const db = database(c.env.DB);
    const id = c.req.param("id");
    const row = await db.select({ id: providers.id }).from(providers).where(and(eq(providers.id, id), eq(providers.ownerUserId, owner))).get();
    if (!row) throw new GatewayError("not_found", `no model configuration '${id}'`, { code: "model_config_not_found" });
    await db.batch([db.delete(models).where(eq(models.providerId, id)), db.delete(providers).where(eq(providers.id, id))]);
    forgetRoutes(c.env);
    return c.json({ id, object: "model_config", deleted: true });
  });
