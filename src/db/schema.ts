/** Every D1 table of the gateway, as drizzle schema: the single source of the data model. */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const now = sql`(unixepoch('subsec') * 1000)`;

/** Rate limits and spend budgets of a user or a key; null means none. */
const spendLimits = () => ({
  rpm: integer("rpm"),
  tpm: integer("tpm"),
  dailyBudgetUsd: real("daily_budget_usd"),
  monthlyBudgetUsd: real("monthly_budget_usd"),
});

/** People who sign in with a password and own API keys, tasks and logs. */
export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  username: text("username").notNull().unique(),
  email: text("email").notNull().unique(),
  passwordHash: text("password_hash").notNull(),
  passwordSalt: text("password_salt").notNull(),
  role: text("role", { enum: ["admin", "user"] }).notNull().default("user"),
  createdAt: integer("created_at").notNull().default(now),
  /** Set when an admin disables the user: their tokens and keys stop working. */
  disabledAt: integer("disabled_at"),
  ...spendLimits(),
});

/** API keys: only the SHA-256 hash and a display prefix are stored, never the key. */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    /** Null for keys made with the root credential: they act as admin. */
    userId: text("user_id").references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    prefix: text("prefix").notNull(),
    /** Model names this key may use; null means every model. */
    allowedModels: text("allowed_models", { mode: "json" }).$type<string[]>(),
    createdAt: integer("created_at").notNull().default(now),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
    ...spendLimits(),
    /** After this time the key is refused (401). */
    expiresAt: integer("expires_at"),
    /** Client addresses or CIDR ranges the key may be used from; null means anywhere. */
    allowedIps: text("allowed_ips", { mode: "json" }).$type<string[]>(),
  },
  (t) => [index("api_keys_user_idx").on(t.userId)],
);

/** Upstream services managed at run time; their key is stored encrypted (AES-GCM) or by secret name. */
export const providers = sqliteTable("providers", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  type: text("type").notNull(),
  baseUrl: text("base_url").notNull(),
  apiKeyCiphertext: text("api_key_ciphertext"),
  apiKeySecret: text("api_key_secret"),
  maxConcurrency: integer("max_concurrency").notNull(),
  rpm: integer("rpm"),
  tpm: integer("tpm"),
  /** Type-specific, non-secret settings (Azure's api_version, token-auth's auth_url…). */
  options: text("options", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
  /** Several keys, each sealed or by secret name (then the api_key columns are empty). */
  keys: text("keys", { mode: "json" }).$type<StoredKey[]>(),
  /** Parameter overrides for every call to this provider. */
  overrides: text("overrides", { mode: "json" }).$type<Record<string, unknown>>(),
  /** A user's own provider (seed 000's model configurations): only that user sees and calls it. */
  ownerUserId: text("owner_user_id").references(() => users.id, { onDelete: "cascade" }),
  createdAt: integer("created_at").notNull().default(now),
  updatedAt: integer("updated_at").notNull().default(now),
});

/** One key of a provider with several, as stored. */
export interface StoredKey {
  name: string;
  ciphertext: string | null;
  secret: string | null;
  limits: { max_concurrency: number; rpm?: number; tpm?: number } | null;
}

/** Public model names and the provider (and upstream model id) that serves each. */
export const models = sqliteTable(
  "models",
  {
    id: text("id").primaryKey(),
    providerId: text("provider_id")
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    upstreamModel: text("upstream_model").notNull(),
    /** The most output tokens a call may ask for (and the value sent when a call asks for none and the provider needs one). */
    maxTokens: integer("max_tokens"),
    /** Routing tier (lower first) and weight within it. */
    priority: integer("priority").notNull().default(0),
    weight: real("weight").notNull().default(1),
    /** This model's own capacity per key, when it differs from the provider's. */
    limits: text("limits", { mode: "json" }).$type<{ max_concurrency: number; rpm?: number; tpm?: number }>(),
    overrides: text("overrides", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  // Several providers may serve one model name (its deployments); one provider lists it once.
  (t) => [uniqueIndex("models_provider_name_idx").on(t.providerId, t.name), index("models_name_idx").on(t.name)],
);

/** One row per gateway call, written off the hot path. */
export const requestLogs = sqliteTable(
  "request_logs",
  {
    id: text("id").primaryKey(),
    userId: text("user_id"),
    keyId: text("key_id"),
    endpoint: text("endpoint").notNull(),
    /** The task this call ran, for task-lane calls made by the consumer. */
    taskId: text("task_id"),
    model: text("model"),
    provider: text("provider"),
    /** The deployment (provider/key/upstream model) this attempt went to. */
    deployment: text("deployment"),
    /** Which attempt of the call this row is (failover tries the next deployment). */
    attempt: integer("attempt").notNull().default(1),
    lane: text("lane", { enum: ["realtime", "task"] }),
    stream: integer("stream", { mode: "boolean" }).notNull().default(false),
    status: integer("status").notNull(),
    latencyMs: integer("latency_ms").notNull(),
    ttftMs: integer("ttft_ms"),
    promptTokens: integer("prompt_tokens"),
    completionTokens: integer("completion_tokens"),
    error: text("error"),
    /** What the call cost (USD), task discount applied; null when its model has no price or no usage came back. */
    costUsd: real("cost_usd"),
    /** What it would have cost at list price (differs from cost_usd for discounted task calls). */
    listCostUsd: real("list_cost_usd"),
    /** The request's id (`x-request-id`); a task run's rows carry the run's own. */
    requestId: text("request_id"),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [index("request_logs_request_idx").on(t.requestId), index("request_logs_user_idx").on(t.userId, t.createdAt), index("request_logs_created_idx").on(t.createdAt)],
);

/** Task calls: durable work with a deadline, run by the queue consumer under the governor. */
export const tasks = sqliteTable(
  "tasks",
  {
    id: text("id").primaryKey(),
    /** The tenant: a user id, or "root" for keys made with the root credential. */
    ownerId: text("owner_id").notNull(),
    keyId: text("key_id"),
    model: text("model").notNull(),
    /** The provider that serves the model, resolved at submission: the governor that runs it. */
    provider: text("provider").notNull().default(""),
    status: text("status", {
      enum: ["queued", "running", "succeeded", "failed", "cancelled", "expired"],
    }).notNull(),
    request: text("request", { mode: "json" }).notNull(),
    metadata: text("metadata", { mode: "json" }),
    deadline: integer("deadline"),
    idempotencyKey: text("idempotency_key"),
    requestHash: text("request_hash"),
    result: text("result", { mode: "json" }),
    error: text("error", { mode: "json" }),
    attempts: integer("attempts").notNull().default(0),
    preemptions: integer("preemptions").notNull().default(0),
    /** What the run that succeeded cost (USD), task discount applied; null when unpriced. */
    costUsd: real("cost_usd"),
    /** Upstream capacity refusals (429, 503) met so far; past TASK_MAX_CAPACITY_RETRIES the task fails. */
    capacityRetries: integer("capacity_retries").notNull().default(0),
    /** Until when the task is accounted for (in the queue, waiting, or running); past it the sweeper re-enqueues. */
    leaseUntil: integer("lease_until"),
    /** The run (or a consumer's hold) that has the task now; only that run may write its outcome. */
    runId: text("run_id"),
    /** A queued task is not taken before this time (retry back-off). */
    availableAt: integer("available_at").notNull().default(0),
    createdAt: integer("created_at").notNull().default(now),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [
    index("tasks_owner_idx").on(t.ownerId, t.createdAt),
    index("tasks_status_idx").on(t.status, t.leaseUntil),
    index("tasks_provider_idx").on(t.provider, t.status),
    index("tasks_due_idx").on(t.status, t.deadline),
    uniqueIndex("tasks_idempotency_idx").on(t.ownerId, t.idempotencyKey),
  ],
);

/** Queue messages that exhausted their retries, recorded instead of dropped. */
export const deadLetters = sqliteTable("dead_letters", {
  id: text("id").primaryKey(),
  taskId: text("task_id"),
  body: text("body", { mode: "json" }).notNull(),
  attempts: integer("attempts").notNull(),
  createdAt: integer("created_at").notNull().default(now),
});

/** Routing settings changed at run time (the routing document, the switch): one JSON value per key. */
export const routingSettings = sqliteTable("routing_settings", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).notNull(),
  updatedAt: integer("updated_at").notNull().default(now),
});

/** Seed 003's routing rules: a condition on the prompt, and the model or provider to use. */
export const routerRules = sqliteTable("router_rules", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  priority: integer("priority").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  condition: text("condition", { mode: "json" }).notNull(),
  action: text("action", { mode: "json" }).notNull(),
  hits: integer("hits").notNull().default(0),
  lastHitAt: integer("last_hit_at"),
  createdAt: integer("created_at").notNull().default(now),
});

/** Every change of the routing switch: who asked, why, and when it took effect. */
export const routerSwitchHistory = sqliteTable("router_switch_history", {
  id: text("id").primaryKey(),
  value: integer("value", { mode: "boolean" }).notNull(),
  reason: text("reason").notNull(),
  requestedBy: text("requested_by").notNull(),
  requestedAt: integer("requested_at").notNull(),
  effectiveAt: integer("effective_at").notNull(),
});

/** Self-hosted backends that registered themselves (seed 002's workers): deployments of their model while they beat. */
export const backends = sqliteTable(
  "backends",
  {
    workerId: text("worker_id").primaryKey(),
    modelId: text("model_id").notNull(),
    backendUrl: text("backend_url").notNull(),
    capacity: integer("capacity").notNull(),
    currentLoad: integer("current_load").notNull().default(0),
    registeredAt: integer("registered_at").notNull(),
    heartbeatAt: integer("heartbeat_at").notNull(),
  },
  (t) => [index("backends_model_idx").on(t.modelId)],
);

/** Admins' prices per model (USD per million tokens), over gateway.yaml's and the built-in defaults. */
export const modelPrices = sqliteTable("model_prices", {
  model: text("model").primaryKey(),
  input: real("input").notNull(),
  output: real("output").notNull(),
  cachedInput: real("cached_input"),
  cacheWrite: real("cache_write"),
  updatedAt: integer("updated_at").notNull().default(now),
});

/** Upper bounds (ms) of the latency buckets every rollup row counts; the last bucket is everything slower. */
export const LATENCY_BUCKETS_MS = [25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000] as const;

export type LatencyBucketKey = `le${(typeof LATENCY_BUCKETS_MS)[number]}` | "leInf";
export const LATENCY_BUCKET_KEYS: readonly LatencyBucketKey[] = [...LATENCY_BUCKETS_MS.map((ms) => `le${ms}` as const), "leInf"];

function latencyBucketColumns() {
  const column = (k: LatencyBucketKey) => integer(k === "leInf" ? "le_inf" : `le_${k.slice(2)}`).notNull().default(0);
  return Object.fromEntries(LATENCY_BUCKET_KEYS.map((k) => [k, column(k)])) as { [K in LatencyBucketKey]: ReturnType<typeof column> };
}

/**
 * Request-log rows rolled up per day (in USAGE_UTC_OFFSET_MINUTES) and per owner, key, model,
 * provider, lane and status, written in the same batch as the rows: usage, stats and metrics read
 * these, not the logs, so they stay fast as logs grow and outlive log retention.
 */
export const usageDaily = sqliteTable(
  "usage_daily",
  {
    day: text("day").notNull(),
    ownerId: text("owner_id").notNull(),
    keyId: text("key_id").notNull(),
    model: text("model").notNull(),
    provider: text("provider").notNull(),
    lane: text("lane").notNull(),
    status: integer("status").notNull(),
    requests: integer("requests").notNull(),
    promptTokens: integer("prompt_tokens").notNull(),
    completionTokens: integer("completion_tokens").notNull(),
    costUsd: real("cost_usd").notNull(),
    listCostUsd: real("list_cost_usd").notNull(),
    /** Requests of this row with usage but no price. */
    unpriced: integer("unpriced").notNull(),
    latencyMsSum: integer("latency_ms_sum").notNull(),
    /** Requests per latency bucket: `le_25` counts those that took at most 25 ms and more than the bucket below. */
    ...latencyBucketColumns(),
  },
  (t) => [primaryKey({ columns: [t.day, t.ownerId, t.keyId, t.model, t.provider, t.lane, t.status] }), index("usage_daily_owner_idx").on(t.ownerId, t.day)],
);
