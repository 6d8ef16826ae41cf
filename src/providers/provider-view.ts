/**
 * What the admin API shows of a provider, from configuration or D1: its settings, keys (never a
 * credential), models and the deployments they make.
 */
import { withoutCredentials } from "../core/upstream-url.ts";
import type { ParameterOverrides } from "../core/overrides.ts";
import type { ModelRow, ProviderRow } from "../db/providers.ts";
import type { StoredKey } from "../db/schema.ts";
import { DEFAULT_KEY, keysOf, normaliseModels, secretReference, type ProviderDefinition, type ProviderLimits, type ProviderOptions, type ServedModel } from "./definition.ts";
import type { ProviderSource } from "./provider.ts";

type LimitsView = { max_concurrency: number; rpm: number | null; tpm: number | null };

export interface KeyView {
  name: string;
  /** Whether a credential (API key, token or password) is set. */
  has_api_key: boolean;
  /** The Worker secret the credential comes from, when it is a reference. */
  api_key_secret: string | null;
  limits: LimitsView | null;
}

export interface ModelView {
  name: string;
  upstream_model: string;
  max_tokens: number | null;
  priority: number;
  weight: number;
  limits: LimitsView | null;
  overrides: ParameterOverrides | null;
}

export interface ProviderView {
  id: string;
  object: "provider";
  name: string;
  type: string;
  base_url: string;
  source: ProviderSource;
  /** For a stored provider: the configured provider of the same name it replaces. */
  replaces: ProviderSource | null;
  /** Whether every key has a credential. */
  has_api_key: boolean;
  /** The Worker secret of the single key's credential, when it is a reference. */
  api_key_secret: string | null;
  /** The keys, when the provider has several (each its own deployment of every model). */
  keys?: KeyView[];
  limits: LimitsView;
  models: ModelView[];
  overrides: ParameterOverrides | null;
  /** Every provider × key × upstream model: what routing chooses among, each with its own capacity. */
  deployments: { id: string; model: string; key: string; upstream_model: string; max_concurrency: number }[];
  api_version?: string;
  deployment?: string;
  anthropic_version?: string;
  auth_url?: string;
  username?: string;
  token_field?: string;
  token_cache_hours?: number;
  breaker?: { enabled?: boolean; failures?: number; failure_ratio?: number; cooldown_ms?: number };
  created_at: number | null;
}

/** A provider's type-specific settings in the definition's words (`api_version`, `auth_url`…). */
export function typeFields(o: ProviderOptions) {
  const fields = { breaker: o.breaker, api_version: o.apiVersion, deployment: o.deployment, anthropic_version: o.anthropicVersion, auth_url: o.authUrl, username: o.username, token_field: o.tokenField, token_cache_hours: o.tokenCacheHours };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

const limitsView = (l: ProviderLimits): LimitsView => ({ max_concurrency: l.max_concurrency, rpm: l.rpm ?? null, tpm: l.tpm ?? null });

function modelViews(served: ServedModel[]): ModelView[] {
  return served.map((m) => ({ name: m.name, upstream_model: m.upstreamModel, max_tokens: m.maxTokens ?? null, priority: m.priority, weight: m.weight, limits: m.limits ? limitsView(m.limits) : null, overrides: m.overrides ?? null }));
}

function deploymentViews(name: string, keys: { name: string; limits: ProviderLimits }[], served: ServedModel[]): ProviderView["deployments"] {
  return keys.flatMap((k) => served.map((m) => ({ id: `${name}/${k.name}/${m.upstreamModel}`, model: m.name, key: k.name, upstream_model: m.upstreamModel, max_concurrency: (m.limits ?? k.limits).max_concurrency })));
}

function keyFields(keys: KeyView[]): Pick<ProviderView, "has_api_key" | "api_key_secret" | "keys"> {
  const single = keys.length === 1 && keys[0]!.name === DEFAULT_KEY;
  return { has_api_key: keys.every((k) => k.has_api_key), api_key_secret: single ? keys[0]!.api_key_secret : null, ...(single ? {} : { keys }) };
}

/** The keys a stored row has: its `keys`, or its single credential as the key "default". */
export function rowKeys(row: ProviderRow): StoredKey[] {
  return row.keys ?? [{ name: DEFAULT_KEY, ciphertext: row.apiKeyCiphertext, secret: row.apiKeySecret, limits: null }];
}

export function rowLimits(row: ProviderRow): ProviderLimits {
  return { max_concurrency: row.maxConcurrency, ...(row.rpm !== null ? { rpm: row.rpm } : {}), ...(row.tpm !== null ? { tpm: row.tpm } : {}) };
}

export function rowModels(served: ModelRow[]): ServedModel[] {
  return served.map((m) => ({ name: m.name, upstreamModel: m.upstreamModel, maxTokens: m.maxTokens ?? undefined, priority: m.priority, weight: m.weight, limits: m.limits ?? undefined, overrides: (m.overrides as ParameterOverrides | null) ?? undefined }));
}

export function storedView(row: ProviderRow, served: ModelRow[], replaces: ProviderSource | null): ProviderView {
  const limits = rowLimits(row);
  const keys = rowKeys(row);
  const models = rowModels(served);
  return {
    id: row.id,
    object: "provider",
    name: row.name,
    type: row.type,
    // Rows stored before the guard may hold user:password@ in the URL: never show it back.
    base_url: withoutCredentials(row.baseUrl),
    source: row.ownerUserId ? "user" : "admin",
    replaces,
    ...keyFields(keys.map((k) => ({ name: k.name, has_api_key: Boolean(k.ciphertext || k.secret), api_key_secret: k.secret, limits: k.limits ? limitsView(k.limits) : null }))),
    limits: limitsView(limits),
    models: modelViews(models),
    overrides: (row.overrides as ParameterOverrides | null) ?? null,
    deployments: deploymentViews(row.name, keys.map((k) => ({ name: k.name, limits: k.limits ?? limits })), models),
    ...typeFields(row.options as ProviderOptions),
    created_at: row.createdAt,
  };
}

export function configuredView(def: ProviderDefinition, baseUrl: string, options: ProviderOptions, source: ProviderSource): ProviderView {
  const keys = keysOf(def);
  const models = normaliseModels(def.models);
  return {
    id: `config:${def.name}`,
    object: "provider",
    name: def.name,
    type: def.type,
    base_url: baseUrl,
    source,
    replaces: null,
    ...keyFields(keys.map((k) => ({ name: k.name, has_api_key: Boolean(k.credential), api_key_secret: secretReference(k.credential) ?? null, limits: def.keys?.find((d) => d.name === k.name)?.limits ? limitsView(k.limits) : null }))),
    limits: limitsView(def.limits),
    models: modelViews(models),
    overrides: def.overrides ?? null,
    deployments: deploymentViews(def.name, keys, models),
    ...typeFields(options),
    created_at: null,
  };
}
