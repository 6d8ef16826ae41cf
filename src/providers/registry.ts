/** Model routing: which provider (from configuration or the admin API) serves a model name. */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { unseal } from "../core/crypto.ts";
import { ConfigError, GatewayError } from "../core/errors.ts";
import { upstreamUrlProblem } from "../core/upstream-url.ts";
import { database } from "../db/client.ts";
import { models, providers } from "../db/schema.ts";
import { settings, type Bindings } from "../env.ts";
import { baseUrlOf, definitionProblem, normaliseModels, providerDefinition, secretReference, type DefinitionContext } from "./definition.ts";
import type { ProviderType } from "./presets.ts";

/** A provider ready to call: the key resolved, never serialised into a response. */
export interface Provider {
  name: string;
  type: ProviderType | string;
  baseUrl: string;
  apiKey: string | undefined;
  limits: { maxConcurrency: number; rpm?: number; tpm?: number };
  source: "config" | "admin";
}

export interface ModelRoute {
  model: string;
  upstreamModel: string;
  provider: Provider;
}

interface ConfiguredProvider {
  provider: Provider;
  models: { name: string; upstreamModel: string }[];
}

const configured = new WeakMap<object, ConfiguredProvider[]>();

/** What this environment allows a provider definition: its private-address setting and its secrets. */
export function definitionContext(env: Bindings): DefinitionContext {
  return {
    allowPrivateUpstreams: settings(env).ALLOW_PRIVATE_UPSTREAMS,
    secretIsSet: (name) => typeof env[name] === "string" && env[name] !== "",
  };
}

function resolveKey(env: Bindings, apiKey: string | undefined): string | undefined {
  const ref = secretReference(apiKey);
  if (!ref) return apiKey;
  const value = env[ref];
  return typeof value === "string" && value ? value : undefined;
}

/** Providers declared in the PROVIDERS variable; a malformed value is a clear configuration error. */
export function configuredProviders(env: Bindings): ConfiguredProvider[] {
  let list = configured.get(env);
  if (list) return list;
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
  const context = definitionContext(env);
  result.data.forEach((p, i) => {
    const problem = definitionProblem(p, context);
    if (problem) throw new ConfigError(`PROVIDERS ${i} (${p.name}): ${problem.message}`);
  });
  list = result.data.map((p) => ({
    provider: {
      name: p.name,
      type: p.type,
      baseUrl: baseUrlOf(p),
      apiKey: resolveKey(env, p.api_key),
      limits: { maxConcurrency: p.limits.max_concurrency, rpm: p.limits.rpm, tpm: p.limits.tpm },
      source: "config",
    },
    models: normaliseModels(p.models),
  }));
  configured.set(env, list);
  return list;
}

async function adminProviderKey(env: Bindings, row: { name: string; apiKeyCiphertext: string | null; apiKeySecret: string | null }) {
  if (row.apiKeySecret) {
    const key = resolveKey(env, `\${${row.apiKeySecret}}`);
    // The secret was removed after the provider was made: say so (its name only to the operator's
    // log), rather than call with no key.
    if (!key) {
      console.error(`provider '${row.name}' uses the secret ${row.apiKeySecret}, which is not set`);
      throw new GatewayError("upstream_unavailable", `provider '${row.name}' is misconfigured on the gateway: its key is not set`, { code: "provider_key_missing" });
    }
    return key;
  }
  if (row.apiKeyCiphertext) return unseal(row.apiKeyCiphertext, settings(env).ENCRYPTION_KEY);
  return undefined;
}

/** The route for a public model name, or undefined if no provider serves it. */
export async function routeModel(env: Bindings, model: string): Promise<ModelRoute | undefined> {
  for (const { provider, models: served } of configuredProviders(env)) {
    const hit = served.find((m) => m.name === model);
    if (hit) return { model, upstreamModel: hit.upstreamModel, provider };
  }
  const row = await database(env.DB)
    .select({ upstreamModel: models.upstreamModel, p: providers })
    .from(models)
    .innerJoin(providers, eq(providers.id, models.providerId))
    .where(eq(models.name, model))
    .get();
  if (!row) return undefined;
  const p = row.p;
  // The address is checked at every call, too: the setting may have changed since it was stored.
  const refused = upstreamUrlProblem(p.baseUrl, settings(env).ALLOW_PRIVATE_UPSTREAMS);
  if (refused) throw new GatewayError("upstream_error", `provider '${p.name}' cannot be called: its base_url ${refused}`, { code: "upstream_address_refused" });
  return {
    model,
    upstreamModel: row.upstreamModel,
    provider: {
      name: p.name,
      type: p.type,
      baseUrl: p.baseUrl,
      apiKey: await adminProviderKey(env, p),
      limits: { maxConcurrency: p.maxConcurrency, rpm: p.rpm ?? undefined, tpm: p.tpm ?? undefined },
      source: "admin",
    },
  };
}

/** Every provider's name and configured limits, from configuration and from D1. */
export async function allProviderLimits(env: Bindings): Promise<{ name: string; limits: Provider["limits"] }[]> {
  const rows = await database(env.DB).select({ name: providers.name, maxConcurrency: providers.maxConcurrency, rpm: providers.rpm, tpm: providers.tpm }).from(providers).all();
  return [
    ...configuredProviders(env).map(({ provider }) => ({ name: provider.name, limits: provider.limits })),
    ...rows.map((r) => ({ name: r.name, limits: { maxConcurrency: r.maxConcurrency, rpm: r.rpm ?? undefined, tpm: r.tpm ?? undefined } })),
  ];
}

/** Every public model with the provider that serves it. */
export async function allModels(env: Bindings): Promise<{ name: string; provider: string; createdAt: number }[]> {
  const fromConfig = configuredProviders(env).flatMap(({ provider, models: served }) =>
    served.map((m) => ({ name: m.name, provider: provider.name, createdAt: 0 })),
  );
  const rows = await database(env.DB)
    .select({ name: models.name, provider: providers.name, createdAt: providers.createdAt })
    .from(models)
    .innerJoin(providers, eq(providers.id, models.providerId))
    .all();
  return [...fromConfig, ...rows];
}
