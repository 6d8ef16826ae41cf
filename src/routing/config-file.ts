/**
 * Providers declared in `gateway.yaml`, bundled into the Worker. Two shapes are read:
 * - this gateway's own: `providers:` (each the definition the admin API takes), `routing:`
 *   (strategies, aliases, overrides), `prices:` (per model) and `auth.api_keys`;
 * - seed 001's `models.yaml`: `models: {<group>: [{name, type: openai | request, …}]}` and
 *   `auth.api_keys`, each entry becoming one provider serving one model.
 * Errors name the path and the line, e.g. `gateway.yaml:12 providers.1.limits.max_concurrency: …`.
 */
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import { providerDefinition, secretReference, type ProviderDefinition } from "../providers/definition.ts";
import { priceEntries, priceTable } from "../pricing/price-input.ts";
import type { Price } from "../pricing/price.ts";
import { routingDocument, type RoutingDocument } from "./routing-document.ts";

export interface GatewayConfig {
  providers: ProviderDefinition[];
  /** Client keys accepted by the gateway (plain, or "${SECRET}" references). */
  apiKeys: string[];
  /** Strategies, aliases and overrides (this gateway's own shape only). */
  routing?: RoutingDocument | undefined;
  /** Prices per model name (USD per million tokens), over the built-in defaults. */
  prices?: Record<string, Price> | undefined;
}

const authBlock = z.strictObject({ api_keys: z.array(z.string().min(1)).optional() });

const ownShape = z.strictObject({
  providers: z.array(z.unknown()).optional(),
  routing: z.unknown().optional(),
  prices: z.unknown().optional(),
  auth: authBlock.optional(),
});

/** One entry of seed 001's models.yaml. `max_concurrency` is this gateway's addition (default 10). */
const seedEntry = z.strictObject({
  name: z.string().min(1),
  type: z.enum(["openai", "request"], { message: "type must be 'openai' or 'request'" }),
  base_url: z.string().min(1).optional(),
  api_key: z.string().min(1).optional(),
  model_name: z.string().min(1).optional(),
  max_tokens: z.number().int().positive().optional(),
  enabled: z.boolean().optional(),
  auth_url: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  token_cache_hours: z.number().positive().optional(),
  max_concurrency: z.number().int().positive().optional(),
});

const seedShape = z.strictObject({
  models: z.record(z.string(), z.array(z.unknown())),
  auth: authBlock.optional(),
  server: z.never({ message: "the server block is not used: on Workers the address comes from wrangler (npm start -- --port N, or your route)" }).optional(),
});

const SEED_CONCURRENCY = 10;

/** Reads and checks a gateway.yaml text; throws a ConfigError naming the path and line of the first problem. */
export function parseGatewayConfig(text: string, origin = "gateway.yaml"): GatewayConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ConfigError(`${origin}:${lines.linePos(e.pos[0]).line} ${e.message}`);
  }
  const where = (path: (string | number)[]) => {
    // A missing field has no node: the nearest one above it gives the line.
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number] } | undefined;
      if (node?.range) line = lines.linePos(node.range[0]).line;
    }
    return `${origin}${line ? `:${line}` : ""} ${path.join(".") || "(top)"}`;
  };
  const fail = (path: (string | number)[], message: string): never => {
    throw new ConfigError(`${where(path)}: ${message}`);
  };
  const check = <S extends z.ZodType>(schema: S, value: unknown, at: (string | number)[]): z.output<S> => {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    const issue = r.error.issues[0]!;
    const path = [...at, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))];
    return fail(issue.code === "unrecognized_keys" ? [...path, issue.keys[0]!] : path, issue.code === "unrecognized_keys" ? `unknown field '${issue.keys[0]}'` : issue.message);
  };

  /** gateway.yaml is checked in and bundled: a credential there is a ${NAME} reference, never the secret itself. */
  const reference = (value: string | undefined, path: (string | number)[]): void => {
    if (value !== undefined && !secretReference(value)) fail(path, "write a secret reference such as ${MY_KEY} and set the secret (wrangler secret put MY_KEY, or .dev.vars locally): this file is checked in and bundled into the Worker");
  };
  const credentials = (p: ProviderDefinition, at: (string | number)[]): ProviderDefinition => {
    for (const field of ["api_key", "token", "password"] as const) reference(p[field], [...at, field]);
    p.keys?.forEach((k, i) => reference(k.api_key, [...at, "keys", i, "api_key"]));
    return p;
  };
  const clientKeys = (keys: string[] | undefined): string[] => (keys ?? []).map((k, i) => (reference(k, ["auth", "api_keys", i]), k));

  const value: unknown = doc.toJS() ?? {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail([], "expected a mapping with providers: (or seed 001's models:)");
  if ("models" in value) {
    const seed = seedConfig(check(seedShape, value, []), check, fail);
    return { providers: seed.providers.map((p) => credentials(p.definition, p.at)), apiKeys: clientKeys(seed.apiKeys) };
  }
  const own = check(ownShape, value, []);
  return {
    providers: (own.providers ?? []).map((p, i) => credentials(check(providerDefinition, p, ["providers", i]), ["providers", i])),
    apiKeys: clientKeys(own.auth?.api_keys),
    routing: own.routing === undefined ? undefined : check(routingDocument, own.routing, ["routing"]),
    prices: own.prices === undefined ? undefined : priceEntries(check(priceTable, own.prices, ["prices"])),
  };
}

type Check = <S extends z.ZodType>(schema: S, value: unknown, at: (string | number)[]) => z.output<S>;

function seedConfig(seed: z.output<typeof seedShape>, check: Check, fail: (path: (string | number)[], message: string) => never): { providers: { definition: ProviderDefinition; at: (string | number)[] }[]; apiKeys: string[] | undefined } {
  const providers: { definition: ProviderDefinition; at: (string | number)[] }[] = [];
  for (const [group, entries] of Object.entries(seed.models)) {
    entries.forEach((raw, i) => {
      const at = ["models", group, i];
      const e = check(seedEntry, raw, at);
      const foreign = e.type === "openai" ? (["token", "auth_url", "username", "password", "token_cache_hours"] as const) : (["api_key"] as const);
      for (const field of foreign) if (e[field] !== undefined) fail([...at, field], `${field} does not apply to type '${e.type}'`);
      if (e.enabled === false) return;
      const common = {
        name: e.name.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+/, "").slice(0, 63) || fail([...at, "name"], "name has no usable characters"),
        limits: { max_concurrency: e.max_concurrency ?? SEED_CONCURRENCY },
        models: [{ name: e.name, upstream_model: e.model_name ?? e.name, ...(e.max_tokens ? { max_tokens: e.max_tokens } : {}) }],
        ...(e.base_url ? { base_url: e.base_url } : {}),
      };
      const definition =
        e.type === "openai"
          ? { ...common, type: e.base_url ? "openai-compatible" : "openai", ...(e.api_key ? { api_key: e.api_key } : {}) }
          : { ...common, type: "token-auth", ...(e.token ? { token: e.token } : { auth_url: e.auth_url, username: e.username, password: e.password }), ...(e.token_cache_hours ? { token_cache_hours: e.token_cache_hours } : {}) };
      providers.push({ definition: check(providerDefinition, definition, at), at });
    });
  }
  return { providers, apiKeys: seed.auth?.api_keys };
}
