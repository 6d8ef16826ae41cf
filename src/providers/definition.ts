/**
 * The provider definition accepted by the admin API, `gateway.yaml` and the PROVIDERS variable,
 * checked by zod. Fields that belong to one type (Azure's `api_version`, token-auth's exchange)
 * are refused on another, by name.
 */
import { z } from "zod";
import { upstreamUrlProblem } from "../core/upstream-url.ts";
import { providerPresets, providerTypes, type ProviderType } from "./presets.ts";

const modelEntry = z.union([
  z.string().min(1),
  z.strictObject({
    name: z.string().min(1),
    upstream_model: z.string().min(1).optional(),
    /** The most output tokens a call may ask for; also sent when a call asks for none and the provider needs a value (Anthropic). */
    max_tokens: z.number().int().positive().optional(),
  }),
]);

export const providerLimits = z.strictObject({
  max_concurrency: z.number().int().min(1).max(10_000),
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
});

/** A secret: plain, or a reference "${NAME}" to a Worker secret. */
const secret = (name: string) =>
  z
    .string()
    .min(1)
    .refine((k) => !GATEWAY_SECRETS.includes(secretReference(k) ?? ""), `${name} may not reference the gateway's own secrets`);

/** One provider: where it is, its credential, its type's own fields, limits and models. Unknown fields are refused. */
export const providerFields = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "name must be lowercase letters, digits, '-' or '_'"),
  type: z.enum(providerTypes, { message: `type must be one of: ${providerTypes.join(", ")}` }),
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  api_key: secret("api_key").optional(),
  limits: providerLimits,
  models: z.array(modelEntry).min(1, "a provider serves at least one model"),
  /** azure: the API version (`api-version`), and the deployment every model uses (else each model's upstream name). */
  api_version: z.string().min(1).optional(),
  deployment: z.string().min(1).optional(),
  /** anthropic: the `anthropic-version` header (default 2023-06-01). */
  anthropic_version: z.string().min(1).optional(),
  /** token-auth: a fixed token, or an exchange of username and password at auth_url for one. */
  token: secret("token").optional(),
  auth_url: z.url({ protocol: /^https?$/ }).optional(),
  username: z.string().min(1).optional(),
  password: secret("password").optional(),
  /** token-auth: where the token is in the exchange's JSON answer, as a dotted path (default "token"). */
  token_field: z.string().regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, "token_field is a dotted path such as access_token or data.token").optional(),
  token_cache_hours: z.number().positive().max(24 * 30).optional(),
});

/** Which fields belong to which types; any other type refuses them. */
const TYPE_FIELDS: Partial<Record<keyof z.input<typeof providerFields>, readonly ProviderType[]>> = {
  api_version: ["azure"],
  deployment: ["azure"],
  anthropic_version: ["anthropic"],
  token: ["token-auth"],
  auth_url: ["token-auth"],
  username: ["token-auth"],
  password: ["token-auth"],
  token_field: ["token-auth"],
  token_cache_hours: ["token-auth"],
};

export const providerDefinition = providerFields.superRefine((p, ctx) => {
  for (const [field, types] of Object.entries(TYPE_FIELDS)) {
    if (p[field as keyof typeof p] !== undefined && !types!.includes(p.type)) {
      ctx.addIssue({ code: "custom", path: [field], message: `${field} applies to providers of type ${types!.join(" or ")}, not '${p.type}'` });
    }
  }
  if (!(p.base_url ?? providerPresets[p.type].baseUrl)) ctx.addIssue({ code: "custom", path: ["base_url"], message: `base_url is required for type '${p.type}'` });
  if (p.type === "azure" && !p.api_version) ctx.addIssue({ code: "custom", path: ["api_version"], message: "api_version is required for type 'azure' (e.g. 2024-10-21)" });
  if (p.type === "token-auth") {
    if (p.api_key !== undefined) ctx.addIssue({ code: "custom", path: ["api_key"], message: "a token-auth provider takes token, or auth_url with username and password, not api_key" });
    const exchange = p.auth_url !== undefined || p.username !== undefined || p.password !== undefined;
    if (p.token !== undefined && exchange) ctx.addIssue({ code: "custom", path: ["token"], message: "give either token, or auth_url with username and password, not both" });
    if (p.token === undefined && !(p.auth_url && p.username && p.password)) ctx.addIssue({ code: "custom", path: [p.auth_url ? (p.username ? "password" : "username") : "auth_url"], message: "a token-auth provider needs token, or auth_url with username and password" });
  }
});

export type ProviderDefinition = z.output<typeof providerDefinition>;
export type ProviderLimits = z.output<typeof providerLimits>;

export interface ServedModel {
  name: string;
  upstreamModel: string;
  maxTokens?: number | undefined;
}

/** A model entry normalised to its public name, the upstream id it maps to, and its output cap. */
export function normaliseModels(models: ProviderDefinition["models"]): ServedModel[] {
  return models.map((m) => (typeof m === "string" ? { name: m, upstreamModel: m } : { name: m.name, upstreamModel: m.upstream_model ?? m.name, maxTokens: m.max_tokens }));
}

/** The base URL of a definition, falling back to its type's preset. */
export function baseUrlOf(p: Pick<ProviderDefinition, "type" | "base_url">): string {
  return (p.base_url ?? providerPresets[p.type].baseUrl ?? "").replace(/\/+$/, "");
}

/** The definition's credential: the API key, or token-auth's token or password. */
export function credentialOf(p: Pick<ProviderDefinition, "api_key" | "token" | "password">): string | undefined {
  return p.api_key ?? p.token ?? p.password;
}

/** Type-specific, non-secret settings, as stored beside the provider. */
export interface ProviderOptions {
  apiVersion?: string | undefined;
  deployment?: string | undefined;
  anthropicVersion?: string | undefined;
  authUrl?: string | undefined;
  username?: string | undefined;
  tokenField?: string | undefined;
  tokenCacheHours?: number | undefined;
}

export function optionsOf(p: ProviderDefinition): ProviderOptions {
  const o: ProviderOptions = { apiVersion: p.api_version, deployment: p.deployment, anthropicVersion: p.anthropic_version, authUrl: p.auth_url, username: p.username, tokenField: p.token_field, tokenCacheHours: p.token_cache_hours };
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as ProviderOptions;
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
 * The first problem a definition has here (an address refused by the upstream guard, or a
 * credential that references a secret that is not set), with the field it concerns.
 */
export function definitionProblem(p: Pick<ProviderDefinition, "type" | "base_url" | "api_key" | "token" | "password" | "auth_url">, context: DefinitionContext): { param: string; message: string } | undefined {
  const url = baseUrlOf(p);
  const urlProblem = upstreamUrlProblem(url, context.allowPrivateUpstreams);
  if (urlProblem) return { param: "base_url", message: `base_url ${p.base_url ? "" : `(the ${p.type} default, ${url}) `}${urlProblem}` };
  const authProblem = p.auth_url ? upstreamUrlProblem(p.auth_url, context.allowPrivateUpstreams) : undefined;
  if (authProblem) return { param: "auth_url", message: `auth_url ${authProblem}` };
  for (const field of ["api_key", "token", "password"] as const) {
    const ref = secretReference(p[field]);
    if (ref && !context.secretIsSet(ref)) return { param: field, message: `${field} references \${${ref}}, which is not set: set it with 'wrangler secret put ${ref}' (or in .dev.vars locally)` };
  }
  return undefined;
}
