/**
 * `/api/providers` (admin): create, list, read, update and delete providers with their keys and
 * models. Several providers may serve one model: each provider × key × model is a deployment the
 * router chooses among. A provider stored here replaces one of the same name in gateway.yaml or
 * PROVIDERS; every change applies at once in this isolate (in others within the route table's
 * 10 s). Users' own providers (seed 000's model configurations) are not listed here.
 */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database, type Database } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { findProviderRow, listProviderRows, replaceModels, storedCredential, storedKeys } from "../db/providers.ts";
import { models, providers } from "../db/schema.ts";
import { settings, type AppEnv, type Bindings } from "../env.ts";
import { baseUrlOf, credentialOf, definitionProblem, normaliseModels, optionsOf, providerDefinition, providerFields, secretReference, type ProviderDefinition } from "../providers/definition.ts";
import { configuredView, rowKeys, rowLimits, rowModels, storedView, type ProviderView } from "../providers/provider-view.ts";
import { configuredProviders, definitionContext } from "../routing/configured.ts";
import { forgetRoutes } from "../routing/route-table.ts";
import { checkProviderNow, providersHealth } from "./health.ts";

/** Stands in, while a patch is checked, for a credential that stays as stored. */
const KEPT = "(kept)";

/** A 400 naming the field when this environment cannot use the definition (refused address, unset secret). */
function assertUsableHere(env: Bindings, def: Parameters<typeof definitionProblem>[0]): void {
  const problem = definitionProblem(def, definitionContext(env));
  if (problem) throw new GatewayError("invalid_request", problem.message, { param: problem.param, code: "invalid_value" });
}

/** Rejects a name taken by another stored provider. */
async function assertFree(db: Database, name: string, selfId?: string) {
  const named = await db.select({ id: providers.id }).from(providers).where(eq(providers.name, name)).get();
  if (named && named.id !== selfId) throw new GatewayError("conflict", `provider '${name}' already exists`, { param: "name", code: "provider_exists" });
}

/** A write that lost a race on a unique provider name answers 409, not 500. */
async function conflictOnRace<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error)) throw new GatewayError("conflict", "a provider with that name was just created", { code: "provider_exists" });
    throw error;
  }
}

async function views(env: Bindings, db: Database): Promise<ProviderView[]> {
  const stored = (await listProviderRows(db)).filter((s) => !s.row.ownerUserId);
  const storedNames = new Set(stored.map((s) => s.row.name));
  const configured = configuredProviders(env);
  const sourceOf = new Map(configured.map((c) => [c.definition.name, c.source]));
  return [
    ...configured.filter((c) => !storedNames.has(c.definition.name)).map((c) => configuredView(c.definition, baseUrlOf(c.definition), optionsOf(c.definition), c.source)),
    ...stored.map((s) => storedView(s.row, s.models, sourceOf.get(s.row.name) ?? null)),
  ];
}

async function mustFind(db: Database, id: string) {
  if (id.startsWith("config:")) throw new GatewayError("conflict", "providers declared in configuration are changed in configuration (or replaced by creating one of the same name here)", { code: "provider_read_only" });
  const found = await findProviderRow(db, id);
  if (!found || found.row.ownerUserId) throw new GatewayError("not_found", `no provider '${id}'`, { code: "provider_not_found" });
  return found;
}

/** The columns a definition is stored in; credentials only where the definition sets them. */
async function columnsOf(env: Bindings, def: ProviderDefinition, previous?: Parameters<typeof rowKeys>[0]) {
  const { ENCRYPTION_KEY } = settings(env);
  const credential = credentialOf(def);
  const single = !def.keys;
  return {
    name: def.name,
    type: def.type,
    baseUrl: baseUrlOf(def),
    options: optionsOf(def) as Record<string, unknown>,
    maxConcurrency: def.limits.max_concurrency,
    rpm: def.limits.rpm ?? null,
    tpm: def.limits.tpm ?? null,
    overrides: (def.overrides as Record<string, unknown> | undefined) ?? null,
    keys: def.keys ? await storedKeys(def.keys.map((k) => ({ ...k, api_key: k.api_key === KEPT ? undefined : k.api_key })), previous ? rowKeys(previous) : [], secretReference, ENCRYPTION_KEY) : null,
    ...(single && credential !== undefined && credential !== KEPT ? await storedCredential(secretReference(credential), credential, ENCRYPTION_KEY) : {}),
    // Moving from several keys to one without a new credential: the one stored before under "default" stays.
    ...(single && credential === undefined && previous?.keys ? { apiKeyCiphertext: previous.keys.find((k) => k.name === "default")?.ciphertext ?? null, apiKeySecret: previous.keys.find((k) => k.name === "default")?.secret ?? null } : {}),
  };
}

/** A patch changes only the fields it names. */
export const providerPatch = providerFields.partial();

export const providerRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const def = parseInput(providerDefinition, await readJson(c.req.raw));
    assertUsableHere(c.env, def);
    const db = database(c.env.DB);
    await assertFree(db, def.name);
    const id = crypto.randomUUID();
    const now = Date.now();
    await conflictOnRace(db.batch([db.insert(providers).values({ id, ...(await columnsOf(c.env, def)), createdAt: now, updatedAt: now }), ...replaceModels(db, id, normaliseModels(def.models))]));
    forgetRoutes(c.env);
    return c.json((await views(c.env, db)).find((v) => v.id === id), 201);
  })
  .get("/", async (c) => c.json({ object: "list", data: await views(c.env, database(c.env.DB)) }))
  .get("/health", providersHealth)
  .post("/:id/health", checkProviderNow)
  .get("/:id", async (c) => {
    const id = c.req.param("id");
    const found = (await views(c.env, database(c.env.DB))).find((v) => v.id === id || v.name === id);
    if (!found) throw new GatewayError("not_found", `no provider '${id}'`, { code: "provider_not_found" });
    return c.json(found);
  })
  .patch("/:id", async (c) => {
    const db = database(c.env.DB);
    const current = await mustFind(db, c.req.param("id"));
    const patch = parseInput(providerPatch, await readJson(c.req.raw));
    const row = current.row;
    // One api_key for a provider of several keys would replace them all: name the key instead.
    if (row.keys && patch.api_key !== undefined && patch.keys === undefined) {
      throw new GatewayError("invalid_request", "this provider has several keys: change one with keys (each {name, api_key?}; a key given without api_key keeps its stored one)", { param: "api_key", code: "invalid_value" });
    }
    const stored = rowKeys(row);
    const type = patch.type ?? (row.type as ProviderDefinition["type"]);
    const view = storedView(row, current.models, null);
    const { id: _id, object: _o, source: _s, replaces: _r, has_api_key: _h, api_key_secret: _a, keys: _k, deployments: _d, created_at: _c, models: _m, limits: _l, overrides: _ov, base_url, ...typeSettings } = view;
    const hasStored = stored.some((k) => k.ciphertext || k.secret);
    type KeyInput = NonNullable<ProviderDefinition["keys"]>[number];
    const wantsKeys: KeyInput[] | undefined = patch.keys !== undefined ? patch.keys : row.keys && patch.api_key === undefined ? stored.map((k) => ({ name: k.name, ...(k.limits ? { limits: k.limits } : {}) })) : undefined;
    // A credential not in the patch stays as stored; a stand-in lets the merged definition be checked.
    const keys = wantsKeys?.map((k) => ({ ...k, ...(k.api_key === undefined && stored.some((s) => s.name === k.name && (s.ciphertext || s.secret)) ? { api_key: KEPT } : {}) }));
    const keptCredential =
      !keys && hasStored && patch.api_key === undefined && patch.token === undefined && patch.password === undefined ? (type === "token-auth" ? ((patch.auth_url ?? view.auth_url) ? { password: KEPT } : { token: KEPT }) : { api_key: KEPT }) : {};
    const merged = {
      ...typeSettings,
      base_url,
      type,
      ...keptCredential,
      ...(row.overrides ? { overrides: row.overrides } : {}),
      limits: rowLimits(row),
      models: rowModels(current.models).map((m) => ({ name: m.name, upstream_model: m.upstreamModel, ...(m.maxTokens !== undefined ? { max_tokens: m.maxTokens } : {}), priority: m.priority, weight: m.weight, ...(m.limits ? { limits: m.limits } : {}), ...(m.overrides ? { overrides: m.overrides } : {}) })),
      ...patch,
      ...(keys ? { keys } : {}),
    };
    const def = parseInput(providerDefinition, merged);
    assertUsableHere(c.env, { ...def, api_key: patch.api_key, token: patch.token, password: patch.password, keys: patch.keys });
    await assertFree(db, def.name, row.id);
    await conflictOnRace(db.batch([db.update(providers).set({ ...(await columnsOf(c.env, def, row)), updatedAt: Date.now() }).where(eq(providers.id, row.id)), ...replaceModels(db, row.id, normaliseModels(def.models))]));
    forgetRoutes(c.env);
    return c.json((await views(c.env, db)).find((v) => v.id === row.id));
  })
  .delete("/:id", async (c) => {
    const db = database(c.env.DB);
    const current = await mustFind(db, c.req.param("id"));
    await db.batch([db.delete(models).where(eq(models.providerId, current.row.id)), db.delete(providers).where(eq(providers.id, current.row.id))]);
    forgetRoutes(c.env);
    return c.json({ id: current.row.id, object: "provider", deleted: true });
  });

