/**
 * The route table: every deployment of every model, and how models are routed. A deployment is
 * one provider × one of its keys × one upstream model, with its own capacity and its own
 * governor. Deployments come from gateway.yaml and PROVIDERS, the admin API's providers in D1
 * (which replace a configured provider of the same name), users' own providers (seed 000), and
 * registered backends (seed 002). Built once per isolate and rebuilt every `ROUTES_TTL_MS`, or at
 * once after an admin change in this isolate: routing a call reads no D1 and decrypts no key.
 */
import { sha256Hex, unseal } from "../core/crypto.ts";
import type { ParameterOverrides } from "../core/overrides.ts";
import { database } from "../db/client.ts";
import { backends, models, providers, routerRules, routingSettings, type StoredKey } from "../db/schema.ts";
import { settings, type Bindings } from "../env.ts";
import { DEFAULT_KEY, baseUrlOf, keysOf, normaliseModels, optionsOf, type ProviderLimits, type ProviderOptions, type ServedModel } from "../providers/definition.ts";
import type { ProviderType } from "../providers/presets.ts";
import type { ModelRoute, Provider, ProviderSource } from "../providers/provider.ts";
import { configuredProviders, configuredRouting, resolveSecret } from "./configured.ts";
import { mergeRouting, routingDocument, type Routing } from "./routing-document.ts";
import type { RoutingRule } from "./rules.ts";
import { INITIAL_SWITCH, type SwitchState } from "./switch.ts";

/** One provider × key × upstream model: where a call can go, with its own capacity and governor. */
export interface Deployment extends ModelRoute {
  /** "provider/key/upstream-model": in headers, logs and the admin API. */
  id: string;
  /** The governor's name: shared by every deployment with the same address, key and upstream model. */
  governor: string;
  keyName: string;
  /** Routing tier (lower first) and weight within it. */
  priority: number;
  weight: number;
  /** Overrides in the order they apply: global, the provider's, the model's. */
  overrides: (ParameterOverrides | undefined)[];
  /** A user's own deployment: only that user sees and calls it. */
  owner?: string | undefined;
  /** The stored provider row (a user's model configuration id, seed 000). */
  providerId?: string | undefined;
  /** A registered backend's last heartbeat. */
  heartbeatAt?: number | undefined;
  /** When its provider was made (0 for configured ones). */
  createdAt: number;
}

/** A provider as the admin API and the status page list it, with its deployments. */
export interface ProviderEntry {
  name: string;
  source: ProviderSource;
  providerId?: string | undefined;
  owner?: string | undefined;
  deployments: Deployment[];
}

export interface RouteTable {
  builtAt: number;
  until: number;
  /** Model → its deployments, in declared order. */
  shared: Map<string, Deployment[]>;
  /** Owner → model → the owner's own deployments. */
  owned: Map<string, Map<string, Deployment[]>>;
  /** A stored provider's id → its deployments (users' model configurations). */
  byProviderId: Map<string, Deployment[]>;
  routing: Routing;
  rules: RoutingRule[];
  switchState: SwitchState;
  providers: ProviderEntry[];
}

/** How long a route table is trusted in one isolate: an admin change elsewhere takes at most this long here. */
export const ROUTES_TTL_MS = 10_000;

const tables = new WeakMap<object, RouteTable>();

/** Forgets this isolate's route table: an admin change applies at once here. */
export function forgetRoutes(env: Bindings): void {
  tables.delete(env);
}

function limitsOf(l: ProviderLimits, options: ProviderOptions): Provider["limits"] {
  const b = options.breaker;
  return { maxConcurrency: l.max_concurrency, rpm: l.rpm, tpm: l.tpm, ...(b ? { breaker: { enabled: b.enabled, failures: b.failures, failureRatio: b.failure_ratio, cooldownMs: b.cooldown_ms } } : {}) };
}

/**
 * The governor's name: a digest of what the upstream counts capacity by: the endpoint (address,
 * type, Azure's deployment), who calls it (the key, or token-auth's account) and the model.
 */
async function governorName(spec: ProviderSpec, credential: string | undefined, upstreamModel: string): Promise<string> {
  const o = spec.options;
  const model = spec.type === "azure" ? (o.deployment ?? upstreamModel) : upstreamModel;
  const identity = [spec.type, spec.baseUrl, model, credential ?? "", o.authUrl ?? "", o.username ?? ""].join("\n");
  return `d:${(await sha256Hex(identity)).slice(0, 32)}`;
}

interface KeyResolved {
  name: string;
  credential: string | undefined;
  keyMissing: boolean;
  limits: ProviderLimits;
}

interface ProviderSpec {
  name: string;
  type: ProviderType;
  baseUrl: string;
  options: ProviderOptions;
  source: ProviderSource;
  keys: KeyResolved[];
  models: ServedModel[];
  overrides?: ParameterOverrides | undefined;
  owner?: string | undefined;
  providerId?: string | undefined;
  heartbeatAt?: number | undefined;
  createdAt: number;
}

async function deploymentsOf(spec: ProviderSpec, globalOverrides: ParameterOverrides | undefined): Promise<Deployment[]> {
  const out: Deployment[] = [];
  for (const key of spec.keys) {
    for (const m of spec.models) {
      const limits = limitsOf(m.limits ?? key.limits, spec.options);
      out.push({
        id: `${spec.name}/${key.name}/${m.upstreamModel}`,
        governor: await governorName(spec, key.credential, m.upstreamModel),
        keyName: key.name,
        model: m.name,
        upstreamModel: m.upstreamModel,
        maxTokens: m.maxTokens,
        priority: m.priority,
        weight: m.weight,
        overrides: [globalOverrides, spec.overrides, m.overrides],
        owner: spec.owner,
        providerId: spec.providerId,
        heartbeatAt: spec.heartbeatAt,
        createdAt: spec.createdAt,
        provider: { name: spec.name, type: spec.type, baseUrl: spec.baseUrl, credential: key.credential, options: spec.options, limits, source: spec.source, ...(key.keyMissing ? { keyMissing: true } : {}) },
      });
    }
  }
  return out;
}

function storedCredential(env: Bindings, provider: string, secret: string | null, ciphertext: string | null): Promise<{ credential: string | undefined; keyMissing: boolean }> | { credential: string | undefined; keyMissing: boolean } {
  if (secret) {
    const credential = resolveSecret(env, `\${${secret}}`);
    // The secret was removed after the provider was made: its calls say so (see resolve.ts).
    if (!credential) console.error(`provider '${provider}' uses the secret ${secret}, which is not set`);
    return { credential, keyMissing: !credential };
  }
  if (ciphertext) return unseal(ciphertext, settings(env).ENCRYPTION_KEY).then((credential) => ({ credential, keyMissing: false }));
  return { credential: undefined, keyMissing: false };
}

async function build(env: Bindings, now: number): Promise<RouteTable> {
  const db = database(env.DB);
  const [rows, served, registered, rules, settingRows] = await db.batch([db.select().from(providers), db.select().from(models), db.select().from(backends), db.select().from(routerRules), db.select().from(routingSettings)]);
  const specs: ProviderSpec[] = [];
  for (const row of rows) {
    const storedKeys: StoredKey[] = row.keys ?? [{ name: DEFAULT_KEY, ciphertext: row.apiKeyCiphertext, secret: row.apiKeySecret, limits: null }];
    const keys = await Promise.all(
      storedKeys.map(async (k) => ({ name: k.name, ...(await storedCredential(env, row.name, k.secret, k.ciphertext)), limits: k.limits ?? { max_concurrency: row.maxConcurrency, ...(row.rpm ? { rpm: row.rpm } : {}), ...(row.tpm ? { tpm: row.tpm } : {}) } })),
    );
    const mine = served.filter((m) => m.providerId === row.id);
    specs.push({
      name: row.name,
      type: row.type as ProviderType,
      baseUrl: row.baseUrl,
      options: row.options as ProviderOptions,
      source: row.ownerUserId ? "user" : "admin",
      keys,
      models: mine.map((m) => ({ name: m.name, upstreamModel: m.upstreamModel, maxTokens: m.maxTokens ?? undefined, priority: m.priority, weight: m.weight, limits: m.limits ?? undefined, overrides: (m.overrides as ParameterOverrides | null) ?? undefined })),
      overrides: (row.overrides as ParameterOverrides | null) ?? undefined,
      owner: row.ownerUserId ?? undefined,
      providerId: row.id,
      createdAt: row.createdAt,
    });
  }
  const storedNames = new Set(rows.filter((r) => !r.ownerUserId).map((r) => r.name));
  for (const { definition: def, source } of configuredProviders(env)) {
    if (storedNames.has(def.name)) continue;
    specs.push({
      name: def.name,
      type: def.type,
      baseUrl: baseUrlOf(def),
      options: optionsOf(def),
      source,
      keys: keysOf(def).map((k) => {
        const credential = resolveSecret(env, k.credential);
        return { name: k.name, credential, keyMissing: Boolean(k.credential && !credential), limits: k.limits };
      }),
      models: normaliseModels(def.models),
      overrides: def.overrides,
      createdAt: 0,
    });
  }
  for (const b of registered) {
    specs.push({
      name: `backend-${b.workerId}`,
      type: "openai-compatible",
      baseUrl: b.backendUrl.replace(/\/+$/, ""),
      options: {},
      source: "backend",
      keys: [{ name: DEFAULT_KEY, credential: undefined, keyMissing: false, limits: { max_concurrency: b.capacity } }],
      models: [{ name: b.modelId, upstreamModel: b.modelId, priority: 0, weight: 1 }],
      heartbeatAt: b.heartbeatAt,
      createdAt: b.registeredAt,
    });
  }

  const table: RouteTable = {
    builtAt: now,
    until: now + ROUTES_TTL_MS,
    shared: new Map(),
    owned: new Map(),
    byProviderId: new Map(),
    routing: mergeRouting(configuredRouting(env), storedRouting(settingRows.find((r) => r.key === "routing")?.value)),
    rules: rules.map((r) => ({ id: r.id, name: r.name, priority: r.priority, enabled: r.enabled, condition: r.condition as RoutingRule["condition"], action: r.action as RoutingRule["action"] })),
    switchState: (settingRows.find((r) => r.key === "switch")?.value as SwitchState | undefined) ?? INITIAL_SWITCH,
    providers: [],
  };
  for (const spec of specs) {
    const deployments = await deploymentsOf(spec, table.routing.overrides);
    table.providers.push({ name: spec.name, source: spec.source, providerId: spec.providerId, owner: spec.owner, deployments });
    if (spec.providerId) table.byProviderId.set(spec.providerId, deployments);
    const into = spec.owner ? mapFor(table.owned, spec.owner) : table.shared;
    for (const d of deployments) into.set(d.model, [...(into.get(d.model) ?? []), d]);
  }
  oneLimitPerGovernor(table);
  return table;
}

function mapFor(owned: Map<string, Map<string, Deployment[]>>, owner: string): Map<string, Deployment[]> {
  let map = owned.get(owner);
  if (!map) owned.set(owner, (map = new Map()));
  return map;
}

/**
 * Deployments that share a governor (the same endpoint, key and model, declared twice) must give
 * it one set of limits, or it would switch between them with each call: the team's strictest
 * applies to all (a user's own deployment on a team key takes the team's).
 */
function oneLimitPerGovernor(table: RouteTable): void {
  const groups = new Map<string, Deployment[]>();
  for (const p of table.providers) for (const d of p.deployments) groups.set(d.governor, [...(groups.get(d.governor) ?? []), d]);
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    const team = list.filter((d) => !d.owner);
    const from = team.length > 0 ? team : list;
    const min = (pick: (l: Provider["limits"]) => number | undefined) => {
      const values = from.map((d) => pick(d.provider.limits)).filter((v): v is number => v !== undefined);
      return values.length ? Math.min(...values) : undefined;
    };
    const limits: Provider["limits"] = { maxConcurrency: min((l) => l.maxConcurrency)!, rpm: min((l) => l.rpm), tpm: min((l) => l.tpm), breaker: from[0]!.provider.limits.breaker };
    if (from.some((d) => JSON.stringify(d.provider.limits) !== JSON.stringify(limits))) console.warn(`deployments ${list.map((d) => d.id).join(", ")} share one upstream key and model: they share the strictest limits`);
    for (const d of list) d.provider = { ...d.provider, limits };
  }
}

function storedRouting(value: unknown) {
  if (value === undefined) return undefined;
  const parsed = routingDocument.safeParse(value);
  if (!parsed.success) console.error("the stored routing document is invalid and was ignored", parsed.error.issues[0]);
  return parsed.success ? parsed.data : undefined;
}

/** The route table of this isolate, rebuilt when older than its TTL. */
export async function routeTable(env: Bindings, now = Date.now()): Promise<RouteTable> {
  const hit = tables.get(env);
  if (hit && hit.until > now) return hit;
  const table = await build(env, now);
  tables.set(env, table);
  return table;
}

/** Every model a caller sees (their own, then the shared ones) with the provider of its first deployment (for /v1/models). */
export async function allModels(env: Bindings, owner?: string): Promise<{ name: string; provider: string; createdAt: number }[]> {
  const table = await routeTable(env);
  const out = new Map<string, { name: string; provider: string; createdAt: number }>();
  const lists = [...(owner ? (table.owned.get(owner) ?? new Map<string, Deployment[]>()) : new Map<string, Deployment[]>()), ...table.shared];
  for (const [model, list] of lists) {
    const first = list[0];
    if (first && !out.has(model)) out.set(model, { name: model, provider: first.provider.name, createdAt: first.createdAt });
  }
  return [...out.values()];
}
