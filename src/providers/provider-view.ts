/** What the admin API shows of a provider, from configuration or D1: its settings and models, never its credential. */
import { withoutCredentials } from "../core/upstream-url.ts";
import type { ModelRow, ProviderRow } from "../db/providers.ts";
import { credentialOf, secretReference, type ProviderDefinition, type ProviderOptions } from "./definition.ts";
import type { ProviderSource } from "./registry.ts";

export interface ProviderView {
  id: string;
  object: "provider";
  name: string;
  type: string;
  base_url: string;
  source: ProviderSource;
  /** A stored provider that replaces one of the same name declared in configuration. */
  overrides: ProviderSource | null;
  /** Whether a credential (API key, token or password) is set. */
  has_api_key: boolean;
  /** The Worker secret the credential comes from, when it is a reference. */
  api_key_secret: string | null;
  limits: { max_concurrency: number; rpm: number | null; tpm: number | null };
  models: { name: string; upstream_model: string; max_tokens: number | null }[];
  api_version?: string;
  deployment?: string;
  anthropic_version?: string;
  auth_url?: string;
  username?: string;
  token_field?: string;
  token_cache_hours?: number;
  created_at: number | null;
}

function typeFields(o: ProviderOptions) {
  const fields = { api_version: o.apiVersion, deployment: o.deployment, anthropic_version: o.anthropicVersion, auth_url: o.authUrl, username: o.username, token_field: o.tokenField, token_cache_hours: o.tokenCacheHours };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

export function storedView(row: ProviderRow, served: ModelRow[], overrides: ProviderSource | null): ProviderView {
  return {
    id: row.id,
    object: "provider",
    name: row.name,
    type: row.type,
    // Rows stored before the guard may hold user:password@ in the URL: never show it back.
    base_url: withoutCredentials(row.baseUrl),
    source: "admin",
    overrides,
    has_api_key: Boolean(row.apiKeyCiphertext || row.apiKeySecret),
    api_key_secret: row.apiKeySecret,
    limits: { max_concurrency: row.maxConcurrency, rpm: row.rpm, tpm: row.tpm },
    models: served.map((m) => ({ name: m.name, upstream_model: m.upstreamModel, max_tokens: m.maxTokens })),
    ...typeFields(row.options as ProviderOptions),
    created_at: row.createdAt,
  };
}

export function configuredView(def: ProviderDefinition, baseUrl: string, options: ProviderOptions, served: { name: string; upstreamModel: string; maxTokens?: number | undefined }[], source: ProviderSource): ProviderView {
  const credential = credentialOf(def);
  return {
    id: `config:${def.name}`,
    object: "provider",
    name: def.name,
    type: def.type,
    base_url: baseUrl,
    source,
    overrides: null,
    has_api_key: Boolean(credential),
    api_key_secret: secretReference(credential) ?? null,
    limits: { max_concurrency: def.limits.max_concurrency, rpm: def.limits.rpm ?? null, tpm: def.limits.tpm ?? null },
    models: served.map((m) => ({ name: m.name, upstream_model: m.upstreamModel, max_tokens: m.maxTokens ?? null })),
    ...typeFields(options),
    created_at: null,
  };
}
