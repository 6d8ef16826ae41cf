/** The provider definition accepted by the admin API and the PROVIDERS variable, checked by zod. */
import { z } from "zod";
import { upstreamUrlProblem } from "../core/upstream-url.ts";
import { providerPresets, providerTypes } from "./presets.ts";

const modelEntry = z.union([
  z.string().min(1),
  z.strictObject({ name: z.string().min(1), upstream_model: z.string().min(1).optional() }),
]);

export const providerLimits = z.strictObject({
  max_concurrency: z.number().int().min(1).max(10_000),
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
});

/** One provider: where it is, its key (plain, or a secret reference "${NAME}"), limits and models. Unknown fields are refused. */
export const providerFields = z.strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "name must be lowercase letters, digits, '-' or '_'"),
    type: z.enum(providerTypes, { message: `type must be one of: ${providerTypes.join(", ")}` }),
    base_url: z.url({ protocol: /^https?$/ }).optional(),
    api_key: z
      .string()
      .min(1)
      .refine((k) => !GATEWAY_SECRETS.includes(secretReference(k) ?? ""), "api_key may not reference the gateway's own secrets")
      .optional(),
    limits: providerLimits,
    models: z.array(modelEntry).min(1, "a provider serves at least one model"),
  });

export const providerDefinition = providerFields.refine((p) => p.base_url ?? providerPresets[p.type].baseUrl, {
    message: "base_url is required for this provider type",
    path: ["base_url"],
  });

export type ProviderDefinition = z.output<typeof providerDefinition>;
export type ProviderLimits = z.output<typeof providerLimits>;

/** A model entry normalised to its public name and the upstream id it maps to. */
export function normaliseModels(models: ProviderDefinition["models"]): { name: string; upstreamModel: string }[] {
  return models.map((m) => (typeof m === "string" ? { name: m, upstreamModel: m } : { name: m.name, upstreamModel: m.upstream_model ?? m.name }));
}

/** The base URL of a definition, falling back to its type's preset. */
export function baseUrlOf(p: ProviderDefinition): string {
  return (p.base_url ?? providerPresets[p.type].baseUrl ?? "").replace(/\/+$/, "");
}

/** A secret reference "${NAME}" names the environment secret that holds the key. */
export function secretReference(apiKey: string | undefined): string | undefined {
  return apiKey ? /^\$\{([A-Z0-9_]+)\}$/.exec(apiKey)?.[1] : undefined;
}

/** The gateway's own secrets: a provider key may never reference them (it would send them upstream). */
export const GATEWAY_SECRETS: readonly string[] = ["ADMIN_API_KEY", "JWT_SECRET", "ENCRYPTION_KEY"];

/** Where the gateway runs decides what a definition may use: private addresses, which secrets exist. */
export interface DefinitionContext {
  allowPrivateUpstreams: boolean;
  secretIsSet: (name: string) => boolean;
}

/**
 * The first problem a definition has here (its address refused by the upstream guard, or its key
 * a reference to a secret that is not set), with the field it concerns; undefined when none.
 */
export function definitionProblem(p: Pick<ProviderDefinition, "type" | "base_url" | "api_key">, context: DefinitionContext): { param: string; message: string } | undefined {
  const url = baseUrlOf(p as ProviderDefinition);
  const urlProblem = upstreamUrlProblem(url, context.allowPrivateUpstreams);
  if (urlProblem) return { param: "base_url", message: `base_url ${p.base_url ? "" : `(the ${p.type} default, ${url}) `}${urlProblem}` };
  const ref = secretReference(p.api_key);
  if (ref && !context.secretIsSet(ref)) {
    return { param: "api_key", message: `api_key references \${${ref}}, which is not set: set it with 'wrangler secret put ${ref}' (or in .dev.vars locally)` };
  }
  return undefined;
}
