/**
 * Providers stored in D1 through the admin API: listing them beside the configured ones, and
 * changes to them (create, update, delete) checked and turned into D1 statements, so that one
 * route, a batch and a config import change providers the same way, each all at once.
 */
import { eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { z } from "zod";
import { withoutCredentials } from "../core/upstream-url.ts";
import { GatewayError } from "../core/errors.ts";
import { parseInput } from "../core/validate.ts";
import type { Database } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { findProviderRow, listProviderRows, replaceModels, storedCredential, type ModelRow, type ProviderRow } from "../db/providers.ts";
import { models, providers } from "../db/schema.ts";
import { settings, type Bindings } from "../env.ts";
import { configuredProviders, definitionContext } from "../routing/configured.ts";
import { forgetRoutes } from "../routing/route-table.ts";
import { DEFAULT_KEY, baseUrlOf, credentialOf, definitionProblem, modelEntryOf, normaliseModels, optionsOf, providerDefinition, providerFields, secretReference, type ProviderDefinition } from "./definition.ts";
import { configuredView, rowKeys, rowLimits, rowModels, storedView, typeFields, type ProviderView } from "./provider-view.ts";

/** Stands in, while a definition is checked, for a credential that stays as stored. */
export const KEPT = "(kept)";

export interface StoredProvider {
  row: ProviderRow;
  models: ModelRow[];
}

/** One change to the stored providers; `at` names the item of a batch or document it came from ("update.2"). */
export type ProviderChange =
  | { op: "create"; id: string; def: ProviderDefinition; at?: string | undefined }
  | { op: "update"; current: StoredProvider; def: ProviderDefinition; at?: string | undefined }
  | { op: "delete"; current: StoredProvider; at?: string | undefined };

/** What PATCH /api/providers/{id} takes: any field of a definition. */
export type ProviderPatch = Partial<z.output<typeof providerFields>>;

type Statement = BatchItem<"sqlite">;

/** The provider list of the admin API: configured providers not replaced, then the stored ones (users' own are not listed). */
export async function providerViews(env: Bindings, db: Database): Promise<ProviderView[]> {
  const stored = (await listProviderRows(db)).filter((s) => !s.row.ownerUserId);
  const storedNames = new Set(stored.map((s) => s.row.name));
  const configured = configuredProviders(env);
  const sourceOf = new Map(configured.map((c) => [c.definition.name, c.source]));
  return [
    ...configured.filter((c) => !storedNames.has(c.definition.name)).map((c) => configuredView(c.definition, baseUrlOf(c.definition), optionsOf(c.definition), c.source)),
    ...stored.map((s) => storedView(s.row, s.models, sourceOf.get(s.row.name) ?? null)),
  ];
}

/** A stored admin provider by id or name; 409 for a configured one (`config:name`), 404 for none (or a user's own). */
export async function mustFindStored(db: Database, idOrName: string): Promise<StoredProvider> {
  return found(idOrName, idOrName.startsWith("config:") ? undefined : await findProviderRow(db, idOrName));
}

/** The same, among providers already read. */
export function mustFindIn(list: readonly StoredProvider[], idOrName: string): StoredProvider {
  return found(idOrName, list.find((s) => s.row.id === idOrName) ?? list.find((s) => s.row.name === idOrName));
}

function found(idOrName: string, hit: StoredProvider | undefined): StoredProvider {
  if (idOrName.startsWith("config:")) throw new GatewayError("conflict", "providers declared in configuration are changed in configuration (or replaced by creating one of the same name here)", { code: "provider_read_only" });
  if (!hit || hit.row.ownerUserId) throw new GatewayError("not_found", `no provider '${idOrName}'`, { code: "provider_not_found" });
  return hit;
}

/** A 400 naming the field when this environment cannot use the definition (refused address, unset secret). */
export function assertUsableHere(env: Bindings, def: ProviderDefinition): void {
  const problem = definitionProblem(def, definitionContext(env));
  if (problem) throw new GatewayError("invalid_request", problem.message, { param: problem.param, code: "invalid_value" });
}

/**
 * A stored provider with a patch applied, checked whole. A credential the patch does not give
 * stays as stored (KEPT stands in for it while the result is checked).
 */
export function patchedDefinition(current: StoredProvider, patch: ProviderPatch): ProviderDefinition {
  const row = current.row;
  // One api_key for a provider of several keys would replace them all: name the key instead.
  if (row.keys && patch.api_key !== undefined && patch.keys === undefined) {
    throw new GatewayError("invalid_request", "this provider has several keys: change one with keys (each {name, api_key?}; a key given without api_key keeps its stored one)", { param: "api_key", code: "invalid_value" });
  }
  const stored = rowKeys(row);
  const type = patch.type ?? (row.type as ProviderDefinition["type"]);
  const options = typeFields(row.options as Parameters<typeof typeFields>[0]);
  const hasStored = stored.some((k) => k.ciphertext || k.secret);
  type KeyInput = NonNullable<ProviderDefinition["keys"]>[number];
  const wantsKeys: KeyInput[] | undefined = patch.keys !== undefined ? patch.keys : row.keys && patch.api_key === undefined ? stored.map((k) => ({ name: k.name, ...(k.limits ? { limits: k.limits } : {}) })) : undefined;
  const keys = wantsKeys?.map((k) => ({ ...k, ...(k.api_key === undefined && stored.some((s) => s.name === k.name && (s.ciphertext || s.secret)) ? { api_key: KEPT } : {}) }));
  const keptCredential =
    !keys && hasStored && patch.api_key === undefined && patch.token === undefined && patch.password === undefined ? (type === "token-auth" ? ((patch.auth_url ?? options.auth_url) ? { password: KEPT } : { token: KEPT }) : { api_key: KEPT }) : {};
  const merged = {
    name: row.name,
    ...options,
    base_url: withoutCredentials(row.baseUrl),
    type,
    ...keptCredential,
    ...(row.overrides ? { overrides: row.overrides } : {}),
    limits: rowLimits(row),
    models: rowModels(current.models).map(modelEntryOf),
    ...patch,
    ...(keys ? { keys } : {}),
  };
  return parseInput(providerDefinition, merged);
}

/** A 409 naming the item when, after the changes, two providers would share a name (users' own included). */
export function assertNamesFree(existing: readonly { id: string; name: string }[], changes: readonly ProviderChange[]): void {
  const holder = new Map(existing.map((r) => [r.name, r.id]));
  for (const c of changes) if (c.op !== "create") holder.delete(c.current.row.name);
  for (const c of changes) {
    if (c.op === "delete") continue;
    const id = c.op === "create" ? c.id : c.current.row.id;
    const taken = holder.get(c.def.name);
    if (taken !== undefined && taken !== id) throw new GatewayError("conflict", `${c.at ? `${c.at}: ` : ""}provider '${c.def.name}' already exists`, { param: c.at ? `${c.at}.name` : "name", code: "provider_exists" });
    holder.set(c.def.name, id);
  }
}

const NO_CREDENTIAL = { ciphertext: null, secret: null };

/** The columns a definition is stored in: each credential sealed, kept as a secret's name, kept as stored (KEPT), or none. */
async function storedColumns(env: Bindings, def: ProviderDefinition, previous?: ProviderRow) {
  const { ENCRYPTION_KEY } = settings(env);
  const credential = async (keyName: string, value: string | undefined): Promise<{ ciphertext: string | null; secret: string | null }> => {
    if (value === undefined) return NO_CREDENTIAL;
    if (value === KEPT) {
      const kept = previous ? rowKeys(previous).find((k) => k.name === keyName) : undefined;
      return { ciphertext: kept?.ciphertext ?? null, secret: kept?.secret ?? null };
    }
    const stored = await storedCredential(secretReference(value), value, ENCRYPTION_KEY);
    return { ciphertext: stored.apiKeyCiphertext, secret: stored.apiKeySecret };
  };
  const single = def.keys ? NO_CREDENTIAL : await credential(DEFAULT_KEY, credentialOf(def));
  return {
    name: def.name,
    type: def.type,
    baseUrl: baseUrlOf(def),
    options: optionsOf(def) as Record<string, unknown>,
    maxConcurrency: def.limits.max_concurrency,
    rpm: def.limits.rpm ?? null,
    tpm: def.limits.tpm ?? null,
    overrides: (def.overrides as Record<string, unknown> | undefined) ?? null,
    keys: def.keys ? await Promise.all(def.keys.map(async (k) => ({ name: k.name, ...(await credential(k.name, k.api_key)), limits: k.limits ?? null }))) : null,
    apiKeyCiphertext: single.ciphertext,
    apiKeySecret: single.secret,
  };
}

/** The D1 statements of some changes, in the order that frees names first: deletes, updates, creates. */
export async function changeStatements(env: Bindings, db: Database, changes: readonly ProviderChange[], now = Date.now()): Promise<Statement[]> {
  const out: Statement[] = [];
  for (const c of changes) if (c.op === "delete") out.push(db.delete(models).where(eq(models.providerId, c.current.row.id)), db.delete(providers).where(eq(providers.id, c.current.row.id)));
  for (const c of changes) {
    if (c.op !== "update") continue;
    out.push(db.update(providers).set({ ...(await storedColumns(env, c.def, c.current.row)), updatedAt: now }).where(eq(providers.id, c.current.row.id)), ...replaceModels(db, c.current.row.id, normaliseModels(c.def.models)));
  }
  // Providers made together keep their order (routing tries deployments in the order providers were made).
  let order = 0;
  for (const c of changes) {
    if (c.op !== "create") continue;
    out.push(db.insert(providers).values({ id: c.id, ...(await storedColumns(env, c.def)), createdAt: now + order++, updatedAt: now }), ...replaceModels(db, c.id, normaliseModels(c.def.models)));
  }
  return out;
}

/** Runs statements as one D1 batch (all or nothing); a lost race on a unique provider name answers 409, not 500. */
export async function runAtomically(db: Database, statements: Statement[]): Promise<void> {
  if (statements.length === 0) return;
  try {
    await db.batch(statements as [Statement, ...Statement[]]);
  } catch (error) {
    if (isUniqueViolation(error)) throw new GatewayError("conflict", "a provider with that name was just created", { code: "provider_exists" });
    throw error;
  }
}

/** Checks and applies changes to the stored providers at once, and forgets this isolate's route table. */
export async function applyProviderChanges(env: Bindings, db: Database, changes: readonly ProviderChange[]): Promise<void> {
  if (changes.length === 0) return;
  assertNamesFree(await db.select({ id: providers.id, name: providers.name }).from(providers).all(), changes);
  await runAtomically(db, await changeStatements(env, db, changes));
  forgetRoutes(env);
}
