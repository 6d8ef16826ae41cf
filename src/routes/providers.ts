/**
 * `/api/providers` (admin): create, list, read, update and delete providers with their models.
 * A provider stored here wins over one of the same name in gateway.yaml or PROVIDERS; every
 * change applies at once in this isolate (in others within the route table's 10 s).
 */
import { eq, inArray } from "drizzle-orm";
import { Hono } from "hono";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database, type Database } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { findProviderRow, listProviderRows, replaceModels, storedCredential } from "../db/providers.ts";
import { models, providers } from "../db/schema.ts";
import { settings, type AppEnv, type Bindings } from "../env.ts";
import { baseUrlOf, credentialOf, definitionProblem, normaliseModels, optionsOf, providerDefinition, providerFields, secretReference, type ProviderDefinition } from "../providers/definition.ts";
import { configuredView, storedView, type ProviderView } from "../providers/provider-view.ts";
import { configuredProviders, definitionContext, forgetRoutes } from "../providers/registry.ts";

/** Stands in, while a patch is checked, for a credential that stays as stored. */
const KEPT = "(kept)";

/** A 400 naming the field when this environment cannot use the definition (refused address, unset secret). */
function assertUsableHere(env: Bindings, def: Parameters<typeof definitionProblem>[0]): void {
  const problem = definitionProblem(def, definitionContext(env));
  if (problem) throw new GatewayError("invalid_request", problem.message, { param: problem.param, code: "invalid_value" });
}

/** Rejects a name taken by another stored provider, or a model another provider serves. */
async function assertFree(env: Bindings, db: Database, def: Pick<ProviderDefinition, "name" | "models">, selfId?: string) {
  const named = await db.select({ id: providers.id }).from(providers).where(eq(providers.name, def.name)).get();
  if (named && named.id !== selfId) throw new GatewayError("conflict", `provider '${def.name}' already exists`, { param: "name", code: "provider_exists" });
  const names = normaliseModels(def.models).map((m) => m.name);
  if (new Set(names).size !== names.length) throw new GatewayError("invalid_request", "models lists a name twice", { param: "models", code: "duplicate_model" });
  // A configured provider of the same name is replaced by this one, its models with it.
  const storedNames = new Set((await db.select({ name: providers.name }).from(providers).all()).map((r) => r.name));
  const fromConfig = names.find((n) => configuredProviders(env).some((p) => p.provider.name !== def.name && !storedNames.has(p.provider.name) && p.models.some((m) => m.name === n)));
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

function configuredViews(env: Bindings, storedNames: Set<string>): ProviderView[] {
  return configuredProviders(env)
    .filter((c) => !storedNames.has(c.provider.name))
    .map((c) => configuredView(c.definition, c.provider.baseUrl, c.provider.options, c.models, c.provider.source));
}

async function views(env: Bindings, db: Database): Promise<ProviderView[]> {
  const stored = await listProviderRows(db);
  const configured = new Map(configuredProviders(env).map((c) => [c.provider.name, c.provider.source]));
  return [...configuredViews(env, new Set(stored.map((s) => s.row.name))), ...stored.map((s) => storedView(s.row, s.models, configured.get(s.row.name) ?? null))];
}

async function mustFind(env: Bindings, db: Database, id: string) {
  if (id.startsWith("config:")) throw new GatewayError("conflict", "providers declared in configuration are changed in configuration (or replaced by creating one of the same name here)", { code: "provider_read_only" });
  const found = await findProviderRow(db, id);
  if (!found) throw new GatewayError("not_found", `no provider '${id}'`, { code: "provider_not_found" });
  return found;
}

/** The columns a definition is stored in; the credential only when the definition sets one. */
async function columnsOf(env: Bindings, def: ProviderDefinition) {
  const credential = credentialOf(def);
  return {
    name: def.name,
    type: def.type,
    baseUrl: baseUrlOf(def),
    options: optionsOf(def) as Record<string, unknown>,
    maxConcurrency: def.limits.max_concurrency,
    rpm: def.limits.rpm ?? null,
    tpm: def.limits.tpm ?? null,
    ...(credential !== undefined && credential !== KEPT ? await storedCredential(secretReference(credential), credential, settings(env).ENCRYPTION_KEY) : {}),
  };
}

export const providerRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const def = parseInput(providerDefinition, await readJson(c.req.raw));
    assertUsableHere(c.env, def);
    const db = database(c.env.DB);
    await assertFree(c.env, db, def);
    const id = crypto.randomUUID();
    const now = Date.now();
    await conflictOnRace(db.batch([db.insert(providers).values({ id, ...(await columnsOf(c.env, def)), createdAt: now, updatedAt: now }), ...replaceModels(db, id, normaliseModels(def.models))]));
    forgetRoutes(c.env);
    return c.json((await views(c.env, db)).find((v) => v.id === id), 201);
  })
  .get("/", async (c) => c.json({ object: "list", data: await views(c.env, database(c.env.DB)) }))
  .get("/:id", async (c) => {
    const id = c.req.param("id");
    const found = (await views(c.env, database(c.env.DB))).find((v) => v.id === id || v.name === id);
    if (!found) throw new GatewayError("not_found", `no provider '${id}'`, { code: "provider_not_found" });
    return c.json(found);
  })
  .patch("/:id", async (c) => {
    const db = database(c.env.DB);
    const current = await mustFind(c.env, db, c.req.param("id"));
    const patch = parseInput(providerFields.partial(), await readJson(c.req.raw));
    const view = storedView(current.row, current.models, null);
    const hasStored = view.has_api_key;
    const type = patch.type ?? (view.type as ProviderDefinition["type"]);
    const { id: _id, object: _o, source: _s, overrides: _ov, has_api_key: _h, api_key_secret: _a, created_at: _c, models: served, limits, ...settings_ } = view;
    // A credential not in the patch stays as stored; a stand-in lets the merged definition be checked.
    const keptCredential = hasStored && patch.api_key === undefined && patch.token === undefined && patch.password === undefined ? (type === "token-auth" ? ((patch.auth_url ?? view.auth_url) ? { password: KEPT } : { token: KEPT }) : { api_key: KEPT }) : {};
    const merged = {
      ...settings_,
      type,
      ...keptCredential,
      limits: { max_concurrency: limits.max_concurrency, ...(limits.rpm !== null ? { rpm: limits.rpm } : {}), ...(limits.tpm !== null ? { tpm: limits.tpm } : {}) },
      models: served.map((m) => ({ name: m.name, upstream_model: m.upstream_model, ...(m.max_tokens !== null ? { max_tokens: m.max_tokens } : {}) })),
      ...patch,
    };
    const def = parseInput(providerDefinition, merged);
    assertUsableHere(c.env, { ...def, api_key: patch.api_key, token: patch.token, password: patch.password });
    await assertFree(c.env, db, def, current.row.id);
    await conflictOnRace(db.batch([db.update(providers).set({ ...(await columnsOf(c.env, def)), updatedAt: Date.now() }).where(eq(providers.id, current.row.id)), ...replaceModels(db, current.row.id, normaliseModels(def.models))]));
    forgetRoutes(c.env);
    return c.json((await views(c.env, db)).find((v) => v.id === current.row.id));
  })
  .delete("/:id", async (c) => {
    const db = database(c.env.DB);
    const current = await mustFind(c.env, db, c.req.param("id"));
    await db.batch([db.delete(models).where(eq(models.providerId, current.row.id)), db.delete(providers).where(eq(providers.id, current.row.id))]);
    forgetRoutes(c.env);
    return c.json({ id: current.row.id, object: "provider", deleted: true });
  });
