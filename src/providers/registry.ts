/** Model routing: which provider (from configuration or the admin API) serves a model name. */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { unseal } from "../core/crypto.ts";
import { database } from "../db/client.ts";
import { models, providers } from "../db/schema.ts";
import { settings, type Bindings } from "../env.ts";
import { baseUrlOf, normaliseModels, providerDefinition, secretReference } from "./definition.ts";
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
    throw new Error("gateway misconfigured: PROVIDERS is not valid JSON");
  }
  const result = z.array(providerDefinition).safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`gateway misconfigured: PROVIDERS ${issue?.path.join(".")}: ${issue?.message}`);
  }
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

async function adminProviderKey(env: Bindings, row: { apiKeyCiphertext: string | null; apiKeySecret: string | null }) {
  if (row.apiKeySecret) return resolveKey(env, `\${${row.apiKeySecret}}`);
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
