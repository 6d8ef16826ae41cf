/** `/api/providers` (admin): create, list, read, update and delete providers with their models. */
import { eq, inArray } from "drizzle-orm";
import { Hono } from "hono";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database, type Database } from "../db/client.ts";
import { findAdminProvider, listAdminProviders, replaceModels, storedKey, type ProviderView } from "../db/providers.ts";
import { models, providers } from "../db/schema.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { settings, type AppEnv, type Bindings } from "../env.ts";
import { baseUrlOf, definitionProblem, normaliseModels, providerDefinition, providerFields, type ProviderDefinition } from "../providers/definition.ts";
import { configuredProviders, definitionContext } from "../providers/registry.ts";

function configuredViews(env: Bindings): ProviderView[] {
  return configuredProviders(env).map(({ provider, models: served }) => ({
    id: `config:${provider.name}`,
    object: "provider",
    name: provider.name,
    type: provider.type,
    base_url: provider.baseUrl,
    source: "config",
    has_api_key: Boolean(provider.apiKey),
    api_key_secret: null,
    limits: { max_concurrency: provider.limits.maxConcurrency, rpm: provider.limits.rpm ?? null, tpm: provider.limits.tpm ?? null },
    models: served.map((m) => ({ name: m.name, upstream_model: m.upstreamModel })),
    created_at: null,
  }));
}

/** Rejects a name or model already taken by another provider (from configuration or D1). */
async function assertFree(env: Bindings, db: Database, def: Pick<ProviderDefinition, "name" | "models">, selfId?: string) {
  const config = configuredProviders(env);
  if (config.some((p) => p.provider.name === def.name)) throw new GatewayError("conflict", `provider '${def.name}' is declared in configuration`, { param: "name", code: "provider_exists" });
  const named = await db.select({ id: providers.id }).from(providers).where(eq(providers.name, def.name)).get();
  if (named && named.id !== selfId) throw new GatewayError("conflict", `provider '${def.name}' already exists`, { param: "name", code: "provider_exists" });
  const names = normaliseModels(def.models).map((m) => m.name);
  if (new Set(names).size !== names.length) throw new GatewayError("invalid_request", "models lists a name twice", { param: "models", code: "duplicate_model" });
  const fromConfig = names.find((n) => config.some((p) => p.models.some((m) => m.name === n)));
  const taken = fromConfig ? [{ name: fromConfig, providerId: "config" }] : await db.select({ name: models.name, providerId: models.providerId }).from(models).where(inArray(models.name, names)).all();
  const clash = taken.find((m) => m.providerId !== selfId);
  if (clash) throw new GatewayError("conflict", `model '${clash.name}' is already served by another provider`, { param: "models", code: "model_exists" });
}

/** A write that lost a race on a unique provider or model name answers 409, not 500. */
async function conflictOnRace<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error)) throw new GatewayError("conflict", "a provider or model with that name was just created", { code: "provider_exists" });
    throw error;
  }
}

/** A 400 naming the field when this environment cannot use the definition (refused address, unset secret). */
function assertUsableHere(env: Bindings, def: Pick<ProviderDefinition, "type" | "base_url" | "api_key">): void {
  const problem = definitionProblem(def, definitionContext(env));
  if (problem) throw new GatewayError("invalid_request", problem.message, { param: problem.param, code: "invalid_value" });
}

async function mustFind(db: Database, id: string): Promise<ProviderView> {
  if (id.startsWith("config:")) throw new GatewayError("conflict", "providers declared in configuration are changed in configuration", { code: "provider_read_only" });
  const found = await findAdminProvider(db, id);
  if (!found) throw new GatewayError("not_found", `no provider '${id}'`, { code: "provider_not_found" });
  return found;
}

export const providerRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const def = parseInput(providerDefinition, await readJson(c.req.raw));
    assertUsableHere(c.env, def);
    const db = database(c.env.DB);
    await assertFree(c.env, db, def);
    const id = crypto.randomUUID();
    const now = Date.now();
    await conflictOnRace(db.batch([
      db.insert(providers).values({
        id,
        name: def.name,
        type: def.type,
        baseUrl: baseUrlOf(def),
        ...(await storedKey(def.api_key, settings(c.env).ENCRYPTION_KEY)),
        maxConcurrency: def.limits.max_concurrency,
        rpm: def.limits.rpm ?? null,
        tpm: def.limits.tpm ?? null,
        createdAt: now,
        updatedAt: now,
      }),
      ...replaceModels(db, id, def.models),
    ]));
    return c.json(await findAdminProvider(db, id), 201);
  })
  .get("/", async (c) => c.json({ object: "list", data: [...configuredViews(c.env), ...(await listAdminProviders(database(c.env.DB)))] }))
  .get("/:id", async (c) => {
    const id = c.req.param("id");
    const fromConfig = configuredViews(c.env).find((p) => p.id === id || p.name === id);
    if (fromConfig) return c.json(fromConfig);
    return c.json(await mustFind(database(c.env.DB), id));
  })
  .patch("/:id", async (c) => {
    const db = database(c.env.DB);
    const current = await mustFind(db, c.req.param("id"));
    const patch = parseInput(providerFields.partial(), await readJson(c.req.raw));
    const merged = {
      name: patch.name ?? current.name,
      type: patch.type ?? current.type,
      base_url: patch.base_url ?? current.base_url,
      limits: patch.limits ?? { max_concurrency: current.limits.max_concurrency, rpm: current.limits.rpm ?? undefined, tpm: current.limits.tpm ?? undefined },
      models: patch.models ?? current.models.map((m) => ({ name: m.name, upstream_model: m.upstream_model })),
    };
    const def = parseInput(providerDefinition, merged);
    assertUsableHere(c.env, { ...def, api_key: patch.api_key });
    await assertFree(c.env, db, def, current.id);
    await conflictOnRace(db.batch([
      db
        .update(providers)
        .set({
          name: def.name,
          type: def.type,
          baseUrl: baseUrlOf(def),
          ...(patch.api_key !== undefined ? await storedKey(patch.api_key, settings(c.env).ENCRYPTION_KEY) : {}),
          maxConcurrency: def.limits.max_concurrency,
          rpm: def.limits.rpm ?? null,
          tpm: def.limits.tpm ?? null,
          updatedAt: Date.now(),
        })
        .where(eq(providers.id, current.id)),
      ...replaceModels(db, current.id, def.models),
    ]));
    return c.json(await findAdminProvider(db, current.id));
  })
  .delete("/:id", async (c) => {
    const db = database(c.env.DB);
    const current = await mustFind(db, c.req.param("id"));
    await db.batch([db.delete(models).where(eq(models.providerId, current.id)), db.delete(providers).where(eq(providers.id, current.id))]);
    return c.json({ id: current.id, object: "provider", deleted: true });
  });
