/**
 * The route table: which provider serves each public model. Providers come from `gateway.yaml`
 * (bundled), the PROVIDERS variable, and the admin API's rows in D1, which win over a configured
 * provider of the same name. The table is built once per isolate and rebuilt every
 * `ROUTES_TTL_MS`, or at once after an admin change in this isolate: routing a call reads no D1
 * and decrypts no key.
 */
import { z } from "zod";
import gatewayYaml from "../../gateway.yaml";
import { unseal } from "../core/crypto.ts";
import { ConfigError, GatewayError } from "../core/errors.ts";
import { upstreamUrlProblem } from "../core/upstream-url.ts";
import { database } from "../db/client.ts";
import { models, providers } from "../db/schema.ts";
import { settings, type Bindings } from "../env.ts";
import { parseGatewayConfig, type GatewayConfig } from "./config-file.ts";
import { baseUrlOf, credentialOf, definitionProblem, normaliseModels, optionsOf, providerDefinition, secretReference, type DefinitionContext, type ProviderDefinition, type ProviderOptions, type ServedModel } from "./definition.ts";
import type { ProviderType } from "./presets.ts";

/** Where a provider is declared. */
export type ProviderSource = "gateway.yaml" | "PROVIDERS" | "admin";

/** A provider ready to call: its credential resolved (never serialised into a response). */
export interface Provider {
  name: string;
  type: ProviderType;
  baseUrl: string;
  /** The API key, or token-auth's fixed token or password; undefined when none is configured. */
  credential: string | undefined;
  options: ProviderOptions;
  limits: { maxConcurrency: number; rpm?: number | undefined; tpm?: number | undefined };
  source: ProviderSource;
  /** A stored provider whose key references a secret that is no longer set. */
  keyMissing?: boolean;
}

export interface ModelRoute {
  /** The public model name. */
  model: string;
  upstreamModel: string;
  /** The model's output cap, when configured. */
  maxTokens?: number | undefined;
  provider: Provider;
}

export interface ConfiguredProvider {
  provider: Provider;
  models: ServedModel[];
  definition: ProviderDefinition;
}

/** How long a route table is trusted in one isolate: an admin change elsewhere takes at most this long here. */
export const ROUTES_TTL_MS = 10_000;
/** A model missing from the table reloads it, but not more often than this. */
const MISS_RELOAD_MS = 1_000;

/** What this environment allows a provider definition: its private-address setting and its secrets. */
export function definitionContext(env: Bindings): DefinitionContext {
  return {
    allowPrivateUpstreams: settings(env).ALLOW_PRIVATE_UPSTREAMS,
    secretIsSet: (name) => typeof env[name] === "string" && env[name] !== "",
  };
}

function resolveSecret(env: Bindings, value: string | undefined): string | undefined {
  const ref = secretReference(value);
  if (!ref) return value;
  const secret = env[ref];
  return typeof secret === "string" && secret ? secret : undefined;
}

function configured(env: Bindings, def: ProviderDefinition, source: ProviderSource): ConfiguredProvider {
  return {
    definition: def,
    models: normaliseModels(def.models),
    provider: {
      name: def.name,
      type: def.type,
      baseUrl: baseUrlOf(def),
      credential: resolveSecret(env, credentialOf(def)),
      options: optionsOf(def),
      limits: { maxConcurrency: def.limits.max_concurrency, rpm: def.limits.rpm, tpm: def.limits.tpm },
      source,
    },
  };
}

const configCache = new WeakMap<object, { providers: ConfiguredProvider[]; apiKeys: string[] }>();
let bundled: GatewayConfig | undefined;

/** gateway.yaml, as bundled into the Worker (parsed once per isolate). */
function bundledConfig(): GatewayConfig {
  bundled ??= parseGatewayConfig(gatewayYaml);
  return bundled;
}

/** Providers from the PROVIDERS variable (JSON). */
function envProviders(env: Bindings): ProviderDefinition[] {
  const raw = env.PROVIDERS?.trim();
  let parsed: unknown = [];
  try {
    parsed = raw ? JSON.parse(raw) : [];
  } catch {
    throw new ConfigError("PROVIDERS is not valid JSON");
  }
  const result = z.array(providerDefinition).safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const what = issue?.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.join(", ")}` : issue?.message;
    throw new ConfigError(`PROVIDERS ${issue?.path.join(".")}: ${what}`);
  }
  return result.data;
}

/**
 * Providers declared in configuration (gateway.yaml and PROVIDERS), checked against this
 * environment: a refused address or an unset secret is a clear start-up error.
 */
export function configuredProviders(env: Bindings): ConfiguredProvider[] {
  return configuration(env).providers;
}

/** Client keys declared in gateway.yaml's `auth.api_keys`, resolved. */
export function configuredApiKeys(env: Bindings): string[] {
  return configuration(env).apiKeys;
}

function configuration(env: Bindings): { providers: ConfiguredProvider[]; apiKeys: string[] } {
  const hit = configCache.get(env);
  if (hit) return hit;
  const context = definitionContext(env);
  const file = bundledConfig();
  const declared: [ProviderDefinition, ProviderSource][] = [...file.providers.map((p) => [p, "gateway.yaml"] as [ProviderDefinition, ProviderSource]), ...envProviders(env).map((p) => [p, "PROVIDERS"] as [ProviderDefinition, ProviderSource])];
  const seen = new Map<string, ProviderSource>();
  for (const [p, source] of declared) {
    const first = seen.get(p.name);
    if (first) throw new ConfigError(`provider '${p.name}' is declared ${first === source ? `twice in ${source}` : `in both ${first} and ${source}`}`);
    seen.set(p.name, source);
    const problem = definitionProblem(p, context);
    if (problem) throw new ConfigError(`${source} provider '${p.name}': ${problem.message}`);
  }
  const apiKeys = file.apiKeys.map((k, i) => {
    const ref = secretReference(k);
    if (ref && !context.secretIsSet(ref)) throw new ConfigError(`gateway.yaml auth.api_keys.${i} references \${${ref}}, which is not set`);
    return resolveSecret(env, k)!;
  });
  const result = { providers: declared.map(([p, source]) => configured(env, p, source)), apiKeys };
  configCache.set(env, result);
  return result;
}

/** A provider stored through the admin API, as read back for routing. */
interface StoredProvider {
  provider: Provider;
  models: ServedModel[];
}

interface RouteTable {
  builtAt: number;
  until: number;
  routes: Map<string, ModelRoute>;
  /** Every provider the table knows, configured ones that D1 shadows excluded. */
  providers: { provider: Provider; models: ServedModel[]; createdAt: number }[];
}

const tables = new WeakMap<object, RouteTable>();

/** Forgets this isolate's route table: an admin change applies at once here. */
export function forgetRoutes(env: Bindings): void {
  tables.delete(env);
}

async function storedProviders(env: Bindings): Promise<(StoredProvider & { createdAt: number })[]> {
  const db = database(env.DB);
  const [rows, served] = await Promise.all([db.select().from(providers).all(), db.select().from(models).all()]);
  const { ENCRYPTION_KEY } = settings(env);
  return Promise.all(
    rows.map(async (row) => {
      let credential: string | undefined;
      if (row.apiKeySecret) {
        credential = resolveSecret(env, `\${${row.apiKeySecret}}`);
        // The secret was removed after the provider was made: its calls say so (see routeModel).
        if (!credential) console.error(`provider '${row.name}' uses the secret ${row.apiKeySecret}, which is not set`);
      } else if (row.apiKeyCiphertext) credential = await unseal(row.apiKeyCiphertext, ENCRYPTION_KEY);
      return {
        createdAt: row.createdAt,
        provider: { name: row.name, type: row.type as ProviderType, baseUrl: row.baseUrl, credential, options: row.options as ProviderOptions, limits: { maxConcurrency: row.maxConcurrency, rpm: row.rpm ?? undefined, tpm: row.tpm ?? undefined }, source: "admin" as const, keyMissing: Boolean(row.apiKeySecret && !credential) },
        models: served.filter((m) => m.providerId === row.id).map((m) => ({ name: m.name, upstreamModel: m.upstreamModel, maxTokens: m.maxTokens ?? undefined })),
      };
    }),
  );
}

async function routeTable(env: Bindings, now = Date.now()): Promise<RouteTable> {
  const hit = tables.get(env);
  if (hit && hit.until > now) return hit;
  const stored = await storedProviders(env);
  const storedNames = new Set(stored.map((s) => s.provider.name));
  // Stored providers first: where a stored and a configured provider serve the same model name, the stored one answers.
  const list = [...stored, ...configuredProviders(env).filter((c) => !storedNames.has(c.provider.name)).map((c) => ({ ...c, createdAt: 0 }))];
  const routes = new Map<string, ModelRoute>();
  for (const { provider, models: served } of list) for (const m of served) if (!routes.has(m.name)) routes.set(m.name, { model: m.name, upstreamModel: m.upstreamModel, maxTokens: m.maxTokens, provider });
  const table = { builtAt: now, until: now + ROUTES_TTL_MS, routes, providers: list };
  tables.set(env, table);
  return table;
}

/**
 * The route for a public model name, or undefined if no provider serves it. A stored provider
 * that cannot be called as configured (its key's secret removed, its address now refused)
 * answers with what is wrong, never with a call that would fail upstream.
 */
export async function routeModel(env: Bindings, model: string, now = Date.now()): Promise<ModelRoute | undefined> {
  let table = await routeTable(env, now);
  // A model this isolate has not heard of may have been added elsewhere a moment ago: look again
  // (at most once a second, so calls for unknown models cannot turn into a D1 read each).
  if (!table.routes.has(model) && now - table.builtAt >= MISS_RELOAD_MS) {
    forgetRoutes(env);
    table = await routeTable(env, now);
  }
  const route = table.routes.get(model);
  if (!route) return undefined;
  const p = route.provider;
  if (p.keyMissing) throw new GatewayError("upstream_unavailable", `provider '${p.name}' is misconfigured on the gateway: its key is not set`, { code: "provider_key_missing" });
  // The address is checked at every call, too: the setting may have changed since it was stored.
  const allowPrivate = settings(env).ALLOW_PRIVATE_UPSTREAMS;
  for (const [field, url] of [["base_url", p.baseUrl], ["auth_url", p.options.authUrl]] as const) {
    const refused = url === undefined ? undefined : upstreamUrlProblem(url, allowPrivate);
    if (refused) throw new GatewayError("upstream_error", `provider '${p.name}' cannot be called: its ${field} ${refused}`, { code: "upstream_address_refused" });
  }
  return route;
}

/** Every public model with the provider that serves it. */
export async function allModels(env: Bindings): Promise<{ name: string; provider: string; createdAt: number }[]> {
  const table = await routeTable(env);
  return [...table.routes.values()].map((r) => ({ name: r.model, provider: r.provider.name, createdAt: table.providers.find((p) => p.provider === r.provider)?.createdAt ?? 0 }));
}

/** Every provider's name and configured limits. */
export async function allProviderLimits(env: Bindings): Promise<{ name: string; limits: Provider["limits"] }[]> {
  return (await routeTable(env)).providers.map(({ provider }) => ({ name: provider.name, limits: provider.limits }));
}
