/**
 * The provider definition accepted by the admin API, `gateway.yaml` and the PROVIDERS variable,
 * checked by zod. Fields that belong to one type (Azure's `api_version`, token-auth's exchange)
 * are refused on another, by name.
 */
import { z } from "zod";
import { upstreamUrlProblem } from "../core/upstream-url.ts";
import { parameterOverrides, type ParameterOverrides } from "../core/overrides.ts";
import { providerPresets, providerTypes, type ProviderType } from "./presets.ts";

export const providerLimits = z.strictObject({
  max_concurrency: z.number().int().min(1).max(10_000),
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
});

/** A model a provider serves, in its long form. */
export const modelFields = z.strictObject({
  name: z.string().min(1),
  upstream_model: z.string().min(1).optional(),
  /** The most output tokens a call may ask for; also sent when a call asks for none and the provider needs a value (Anthropic). */
  max_tokens: z.number().int().positive().optional(),
  /** The routing tier of this model's deployments here: lower goes first (default 0). */
  priority: z.number().int().min(0).max(100).optional(),
  /** Share within its tier under the weighted strategy (default 1; 0 = only when nothing else can). */
  weight: z.number().min(0).max(10_000).optional(),
  /** This model's own capacity on each key, when it differs from the key's or the provider's. */
  limits: providerLimits.optional(),
  /** Parameter overrides for this model's calls here. */
  overrides: parameterOverrides.optional(),
});

/** A model entry: its name alone (public name = upstream name), or the long form. */
const modelEntry = z.union([z.string().min(1), modelFields]);

/** When a deployment counts as failing (its circuit breaker), per provider. */
export const breakerSettings = z.strictObject({
  /** Off: calls always go, however the deployment fails (failover still applies per call). */
  enabled: z.boolean().optional(),
  /** Failures in a row that open it (default 5). */
  failures: z.number().int().min(1).max(1000).optional(),
  /** Or this share of failed calls among at least 10 in 30 s (default 0.5). */
  failure_ratio: z.number().gt(0).max(1).optional(),
  /** How long it stays open before one probe call (default 10 s; doubled after a failed probe, up to 5 min). */
  cooldown_ms: z.number().int().min(100).max(3_600_000).optional(),
});
export type BreakerSettings = z.output<typeof breakerSettings>;

export const KEY_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** One of several API keys of a provider: each key is its own deployment of every model, with its own capacity. */
const keyEntry = z.strictObject({
  name: z.string().regex(KEY_NAME, "a key's name is lowercase letters, digits, '-' or '_' (at most 32)"),
  api_key: z.string().min(1).optional(),
  limits: providerLimits.optional(),
});

/**
 * What a config export writes for a credential sealed in D1 (it is never shown). Only a config
 * import takes it, meaning "keep the stored one"; anywhere else it is refused, never stored as a key.
 */
export const SEALED_CREDENTIAL = "(sealed)";

/** A secret: plain, or a reference "${NAME}" to a Worker secret. */
const secret = (name: string) =>
  z
    .string()
    .min(1)
    .refine((k) => !GATEWAY_SECRETS.includes(secretReference(k) ?? ""), `${name} may not reference the gateway's own secrets`)
    .refine((k) => k !== SEALED_CREDENTIAL, `${name} '${SEALED_CREDENTIAL}' stands for a key kept in a gateway: only POST /api/config/import takes it; give the key itself or a \${SECRET} reference`);

/** One provider: where it is, its credential, its type's own fields, limits and models. Unknown fields are refused. */
export const providerFields = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "name must be lowercase letters, digits, '-' or '_'"),
  type: z.enum(providerTypes, { message: `type must be one of: ${providerTypes.join(", ")}` }),
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  api_key: secret("api_key").optional(),
  /** Several keys instead of one api_key: key-level failover and more capacity. */
  keys: z
    .array(keyEntry.extend({ api_key: secret("api_key").optional() }))
    .min(1)
    .max(50)
    .optional(),
  limits: providerLimits,
  models: z.array(modelEntry).min(1, "a provider serves at least one model"),
  /** Parameter overrides for every call to this provider. */
  overrides: parameterOverrides.optional(),
  /** Circuit breaker settings for this provider's deployments. */
  breaker: breakerSettings.optional(),
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
  if (p.keys) {
    if (p.api_key !== undefined) ctx.addIssue({ code: "custom", path: ["api_key"], message: "give either api_key or keys, not both" });
    if (p.type === "token-auth") ctx.addIssue({ code: "custom", path: ["keys"], message: "a token-auth provider has one credential (token, or auth_url with username and password), not keys" });
    const names = p.keys.map((k) => k.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) ctx.addIssue({ code: "custom", path: ["keys"], message: `the key name '${twice}' is given twice` });
  }
  const served = normaliseModels(p.models).map((m) => m.name);
  const repeated = served.find((n, i) => served.indexOf(n) !== i);
  if (repeated) ctx.addIssue({ code: "custom", path: ["models"], message: `models lists '${repeated}' twice` });
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
  priority: number;
  weight: number;
  limits?: ProviderLimits | undefined;
  overrides?: ParameterOverrides | undefined;
}

/** A model entry normalised to its public name, the upstream id it maps to, its output cap and routing settings. */
export function normaliseModels(models: readonly z.input<typeof modelEntry>[]): ServedModel[] {
  return models.map((m) =>
    typeof m === "string"
      ? { name: m, upstreamModel: m, priority: 0, weight: 1 }
      : { name: m.name, upstreamModel: m.upstream_model ?? m.name, maxTokens: m.max_tokens, priority: m.priority ?? 0, weight: m.weight ?? 1, limits: m.limits, overrides: m.overrides },
  );
}

/** A served model back in a definition's words: its name alone when everything else is the default. */
export function modelEntryOf(m: ServedModel): z.input<typeof modelEntry> {
  const entry = {
    name: m.name,
    ...(m.upstreamModel !== m.name ? { upstream_model: m.upstreamModel } : {}),
    ...(m.maxTokens !== undefined ? { max_tokens: m.maxTokens } : {}),
    ...(m.priority !== 0 ? { priority: m.priority } : {}),
    ...(m.weight !== 1 ? { weight: m.weight } : {}),
    ...(m.limits ? { limits: m.limits } : {}),
    ...(m.overrides ? { overrides: m.overrides } : {}),
  };
  return Object.keys(entry).length === 1 ? m.name : entry;
}

/** The name of a provider's key when it has just one (`api_key`, a token or a password). */
export const DEFAULT_KEY = "default";

export interface KeySpec {
  name: string;
  /** As written: plain, or a "${NAME}" reference. */
  credential: string | undefined;
  limits: ProviderLimits;
}

/** A definition's keys: its `keys`, or its one credential as the key "default". */
export function keysOf(p: Pick<ProviderDefinition, "keys" | "api_key" | "token" | "password" | "limits">): KeySpec[] {
  if (p.keys) return p.keys.map((k) => ({ name: k.name, credential: k.api_key, limits: k.limits ?? p.limits }));
  return [{ name: DEFAULT_KEY, credential: credentialOf(p), limits: p.limits }];
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
  breaker?: BreakerSettings | undefined;
  apiVersion?: string | undefined;
  deployment?: string | undefined;
  anthropicVersion?: string | undefined;
  authUrl?: string | undefined;
  username?: string | undefined;
  tokenField?: string | undefined;
  tokenCacheHours?: number | undefined;
}

export function optionsOf(p: ProviderDefinition): ProviderOptions {
  const o: ProviderOptions = { breaker: p.breaker, apiVersion: p.api_version, deployment: p.deployment, anthropicVersion: p.anthropic_version, authUrl: p.auth_url, username: p.username, tokenField: p.token_field, tokenCacheHours: p.token_cache_hours };
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as ProviderOptions;
}

/** A secret reference "${NAME}" names the environment secret that holds the key. */
export function secretReference(apiKey: string | undefined): string | undefined {
  return apiKey ? /^\$\{([A-Z0-9_]+)\}$/.exec(apiKey)?.[1] : undefined;
}

/** The gateway's own secrets: a provider key may never reference them (it would send them upstream). */
export const GATEWAY_SECRETS: readonly string[] = ["ADMIN_API_KEY", "JWT_SECRET", "ENCRYPTION_KEY", "INTERNAL_API_KEY"];

/** Where the gateway runs decides what a definition may use: private addresses, which secrets exist. */
export interface DefinitionContext {
  allowPrivateUpstreams: boolean;
  secretIsSet: (name: string) => boolean;
}

/**
 * The first problem a definition has here (an address refused by the upstream guard, or a
 * credential that references a secret that is not set), with the field it concerns.
 */
export function definitionProblem(p: Pick<ProviderDefinition, "type" | "base_url" | "api_key" | "token" | "password" | "auth_url" | "keys">, context: DefinitionContext): { param: string; message: string } | undefined {
  const url = baseUrlOf(p);
  const urlProblem = upstreamUrlProblem(url, context.allowPrivateUpstreams);
  if (urlProblem) return { param: "base_url", message: `base_url ${p.base_url ? "" : `(the ${p.type} default, ${url}) `}${urlProblem}` };
  const authProblem = p.auth_url ? upstreamUrlProblem(p.auth_url, context.allowPrivateUpstreams) : undefined;
  if (authProblem) return { param: "auth_url", message: `auth_url ${authProblem}` };
  const credentials: [string, string | undefined][] = [["api_key", p.api_key], ["token", p.token], ["password", p.password], ...(p.keys ?? []).map((k, i): [string, string | undefined] => [`keys.${i}.api_key`, k.api_key])];
  for (const [field, value] of credentials) {
    const ref = secretReference(value);
    if (ref && !context.secretIsSet(ref)) return { param: field, message: `${field} references \${${ref}}, which is not set: set it with 'wrangler secret put ${ref}' (or in .dev.vars locally)` };
  }
  return undefined;
}
