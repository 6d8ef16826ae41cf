/**
 * Response shapes for the API docs, as zod schemas: what the route handlers' view functions
 * return (test/worker/openapi.test.ts parses real responses with some of them). Fields a view
 * may add later do not break a client: the objects are open.
 */
import { z } from "zod";

const ms = (what: string) => z.number().int().nullable().meta({ description: `${what}, in milliseconds since the Unix epoch` });
const seconds = (what: string) => z.number().int().nullable().meta({ description: `${what}, in seconds since the Unix epoch` });

/** `{object: "list", data: [...]}`. */
export const listOf = <T extends z.ZodType>(item: T) => z.looseObject({ object: z.literal("list"), data: z.array(item) });

/** What a delete answers. */
export const deleted = (object: string) => z.looseObject({ id: z.string(), object: z.literal(object), deleted: z.literal(true) });

export const healthStatus = z.object({ status: z.literal("ok") });

/** Rate and spend limits (null: none). */
export const spendLimits = {
  rpm: z.number().int().nullable().meta({ description: "Requests per minute" }),
  tpm: z.number().int().nullable().meta({ description: "Tokens per minute" }),
  daily_budget_usd: z.number().nullable().meta({ description: "Spend per day (in USAGE_UTC_OFFSET_MINUTES), USD" }),
  monthly_budget_usd: z.number().nullable().meta({ description: "Spend per month, USD" }),
};

export const user = z.looseObject({
  id: z.string(),
  object: z.literal("user"),
  username: z.string(),
  email: z.string(),
  role: z.enum(["admin", "user"]),
  ...spendLimits,
  created_at: ms("When the account was made"),
  disabled_at: ms("When it was disabled (null while enabled)"),
});

export const accessToken = z.object({
  access_token: z.string().meta({ description: "A JWT to send as `Authorization: Bearer …`" }),
  token_type: z.literal("bearer"),
  expires_in: z.number().int().meta({ description: "Seconds until it expires (JWT_TTL_SECONDS)" }),
});

export const apiKey = z.looseObject({
  id: z.string(),
  object: z.literal("api_key"),
  name: z.string(),
  prefix: z.string().meta({ description: "The key's first characters, to tell keys apart" }),
  user_id: z.string().nullable(),
  models: z.array(z.string()).nullable().meta({ description: "The models the key may use (null: every model)" }),
  ...spendLimits,
  expires_at: z.string().nullable().meta({ description: "When the key stops working (ISO 8601), or null" }),
  allowed_ips: z.array(z.string()).nullable().meta({ description: "Addresses and CIDR ranges the key may be used from (null: anywhere)" }),
  created_at: ms("When it was made"),
  last_used_at: ms("When it was last used"),
  revoked_at: ms("When it was revoked"),
});

export const newApiKey = apiKey.extend({ key: z.string().meta({ description: "The key itself (`sk-gw-…`): shown this once, stored only hashed" }) });

export const revokedKey = z.looseObject({ id: z.string(), object: z.literal("api_key"), revoked: z.literal(true) });

/** What POST /api/keys/batch answers: the keys made (each key shown this once) and revoked. */
export const keyBatch = z.looseObject({ object: z.literal("api_key_batch"), created: z.array(newApiKey), revoked: z.array(revokedKey) });

export const model = z.looseObject({ id: z.string(), object: z.literal("model"), created: z.number().int(), owned_by: z.string().meta({ description: "The provider serving it" }) });

const usage = z.looseObject({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() });

export const chatCompletion = z.looseObject({
  id: z.string(),
  object: z.literal("chat.completion"),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.looseObject({
      index: z.number().int(),
      message: z.looseObject({ role: z.literal("assistant"), content: z.string().nullable(), tool_calls: z.array(z.looseObject({ id: z.string(), type: z.literal("function") })).optional() }),
      finish_reason: z.string().nullable(),
    }),
  ),
  usage: usage.optional(),
});

export const embeddings = z.looseObject({
  object: z.literal("list"),
  data: z.array(z.looseObject({ object: z.literal("embedding"), index: z.number().int(), embedding: z.union([z.array(z.number()), z.string()]) })),
  model: z.string(),
  usage: z.looseObject({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }).optional(),
});

export const anthropicMessage = z.looseObject({
  id: z.string(),
  type: z.literal("message"),
  role: z.literal("assistant"),
  model: z.string(),
  content: z.array(z.looseObject({ type: z.string() })),
  stop_reason: z.string().nullable(),
  usage: z.looseObject({ input_tokens: z.number().int(), output_tokens: z.number().int() }),
});

export const tokenCount = z.object({ input_tokens: z.number().int().meta({ description: "An estimate: characters ÷ 4 over system, messages and tools" }) });

export const task = z.looseObject({
  id: z.string(),
  object: z.literal("task"),
  status: z.enum(["queued", "running", "succeeded", "failed", "cancelled", "expired"]),
  model: z.string(),
  deadline: z.string().nullable().meta({ description: "ISO 8601; the task expires if not done by then" }),
  metadata: z.record(z.string(), z.string()).nullable(),
  attempts: z.number().int().meta({ description: "Tries that ended (answered or failed); preempted runs are not tries" }),
  capacity_retries: z.number().int().meta({ description: "Of those, how many the provider refused for capacity (429, 503)" }),
  preemptions: z.number().int().meta({ description: "Times a realtime call took the task's slot (the task went back to waiting)" }),
  created_at: seconds("When it was submitted"),
  started_at: seconds("When its last run started"),
  finished_at: seconds("When it ended"),
  result: chatCompletion.nullable().meta({ description: "The chat.completion, once succeeded" }),
  error: z.looseObject({ message: z.string() }).nullable().meta({ description: "Why it failed, was cancelled or expired" }),
});

export const taskList = listOf(task).extend({ first_id: z.string().nullable(), last_id: z.string().nullable(), has_more: z.boolean() });

export const requestLog = z.looseObject({
  id: z.string(),
  request_id: z.string().nullable(),
  created_at: ms("When the call was made"),
  user_id: z.string().nullable(),
  key_id: z.string().nullable(),
  endpoint: z.string(),
  task_id: z.string().nullable(),
  model: z.string().nullable(),
  provider: z.string().nullable(),
  deployment: z.string().nullable(),
  attempt: z.number().int().nullable(),
  lane: z.enum(["realtime", "task"]).nullable(),
  stream: z.boolean().nullable(),
  status: z.number().int().nullable(),
  latency_ms: z.number().nullable(),
  ttft_ms: z.number().nullable(),
  prompt_tokens: z.number().int().nullable(),
  completion_tokens: z.number().int().nullable(),
  error: z.string().nullable(),
});

const limits = z.looseObject({ max_concurrency: z.number().int(), rpm: z.number().int().nullable(), tpm: z.number().int().nullable() });

/** One model a provider serves, as a provider lists it. */
export const providerModel = z.looseObject({ name: z.string(), upstream_model: z.string(), max_tokens: z.number().int().nullable(), priority: z.number(), weight: z.number(), limits: limits.nullable() });

export const provider = z.looseObject({
  id: z.string().meta({ description: "A UUID for a stored provider; `config:<name>` for one from gateway.yaml or PROVIDERS" }),
  object: z.literal("provider"),
  name: z.string(),
  type: z.string(),
  base_url: z.string(),
  source: z.string(),
  replaces: z.string().nullable(),
  has_api_key: z.boolean().meta({ description: "Whether every key has a credential (credentials are never shown)" }),
  api_key_secret: z.string().nullable().meta({ description: "The Worker secret the credential comes from, when it is a reference" }),
  keys: z.array(z.looseObject({ name: z.string(), has_api_key: z.boolean(), api_key_secret: z.string().nullable(), limits: limits.nullable() })).optional(),
  limits,
  models: z.array(providerModel),
  deployments: z.array(z.looseObject({ id: z.string(), model: z.string(), key: z.string(), upstream_model: z.string(), max_concurrency: z.number().int() })),
  created_at: ms("When it was stored").nullable(),
});

/** What POST /api/providers/batch answers: the providers made, changed and deleted. */
export const providerBatch = z.looseObject({
  object: z.literal("provider_batch"),
  created: z.array(provider),
  updated: z.array(provider),
  deleted: z.array(z.looseObject({ id: z.string(), object: z.literal("provider"), name: z.string(), deleted: z.literal(true) })),
});

const deploymentHealth = z.looseObject({
  id: z.string(),
  model: z.string(),
  provider: z.string(),
  key: z.string(),
  health: z.enum(["healthy", "degraded", "unhealthy"]),
  reasons: z.array(z.string()),
  breaker: z.string(),
  failure_ratio: z.number(),
  in_flight: z.number().int(),
  max_concurrency: z.number().int(),
  latency_ms: z.number().nullable(),
  last_success_at: ms("The last success").nullable(),
});

export const providersHealth = listOf(z.looseObject({ provider: z.string(), source: z.string(), health: z.enum(["healthy", "degraded", "unhealthy"]), deployments: z.array(deploymentHealth) }));

const probeResult = z.looseObject({
  model: z.string(),
  deployment: z.string().nullable(),
  ok: z.boolean(),
  status: z.number().int(),
  latency_ms: z.number(),
  attempts: z.number().int(),
  answer: z.string().nullable(),
  usage: z.unknown(),
  error: z.looseObject({ message: z.string(), code: z.string().nullable() }).nullable(),
});

export const modelTest = probeResult;

export const providerCheck = z.looseObject({ provider: z.string(), checked_at: z.number().int(), results: z.array(probeResult), deployments: z.array(deploymentHealth) });

export const modelsHealth = z.looseObject({
  status: z.enum(["ok", "degraded", "down"]),
  models: z.array(z.looseObject({ model: z.string(), status: z.enum(["healthy", "degraded", "unhealthy"]), deployments: z.looseObject({ total: z.number().int(), healthy: z.number().int(), degraded: z.number().int(), unhealthy: z.number().int() }) })),
});

export const gatewayStatus = listOf(
  z.looseObject({
    provider: z.string(),
    source: z.string(),
    max_concurrency: z.number().int(),
    realtime_in_flight: z.number().int(),
    task_in_flight: z.number().int(),
    upstream_429: z.number().int(),
    tasks: z.looseObject({ queued: z.number().int(), running: z.number().int() }),
    deployments: z.array(z.looseObject({ id: z.string(), model: z.string(), health: z.string(), task_limit: z.number(), reserve: z.number(), waiting: z.number().int() }).meta({ description: "The governor's view of one deployment: lanes, limits, breaker, latency and counters" })),
  }),
);

export const modelConfig = z.looseObject({
  id: z.string(),
  object: z.literal("model_config"),
  provider: z.string(),
  model_name: z.string(),
  base_url: z.string(),
  max_concurrency: z.number().int(),
  has_api_key: z.boolean(),
  created_at: ms("When it was added"),
});

export const routing = z.looseObject({
  object: z.literal("routing"),
  strategy: z.string(),
  models: z.record(z.string(), z.looseObject({ strategy: z.string().optional(), aliases: z.array(z.string()).optional() })),
  overrides: z.unknown().nullable(),
  file: z.unknown().nullable().meta({ description: "gateway.yaml's `routing:`" }),
  stored: z.unknown().nullable().meta({ description: "The document stored with PUT /api/routing" }),
});

export const routingRule = z.looseObject({
  id: z.string(),
  object: z.literal("routing_rule"),
  name: z.string(),
  priority: z.number().int(),
  enabled: z.boolean(),
  condition: z.looseObject({ type: z.enum(["regex", "complexity"]) }),
  action: z.looseObject({ type: z.enum(["use_model", "use_provider"]) }),
  hits: z.number().int(),
  last_hit_at: ms("The last hit"),
  created_at: ms("When it was made"),
});

export const ruleMetrics = z.looseObject({
  switch: z.boolean(),
  total_hits: z.number().int(),
  rules: z.array(z.looseObject({ id: z.string(), name: z.string(), enabled: z.boolean(), hits: z.number().int(), last_hit_at: ms("The last hit") })),
});

export const routerSwitch = z.looseObject({
  value: z.boolean().meta({ description: "true: rules and strategies route; false: each model's default deployment" }),
  pending: z.looseObject({ value: z.boolean(), reason: z.string(), requested_by: z.string(), requested_at: z.number().int(), effective_at: z.number().int() }).nullable(),
  last_changed_at: ms("When the switch last changed").nullable(),
  next_toggle_at: ms("The earliest a toggle may take effect").nullable(),
  delay_ms: z.number().int(),
  cooldown_ms: z.number().int(),
});

export const switchHistory = listOf(z.looseObject({ id: z.string(), value: z.boolean(), reason: z.string(), requested_by: z.string(), requested_at: z.number().int(), effective_at: z.number().int(), in_effect: z.boolean() }));

export const backendRegistered = z.looseObject({ worker_id: z.string(), model_id: z.string(), status: z.literal("registered"), heartbeat_timeout_s: z.number() });

export const heartbeatReceived = z.looseObject({ worker_id: z.string(), status: z.literal("ok"), received_at: z.number().int() });

export const backend = z.looseObject({
  worker_id: z.string(),
  model_id: z.string(),
  backend_url: z.string(),
  capacity: z.number().int(),
  current_load: z.number().int(),
  registered_at: z.number().int(),
  last_heartbeat_at: z.number().int(),
  status: z.enum(["healthy", "unhealthy"]),
});

/** What POST /api/config/import answers: each change it made (or, on a dry run, would make). */
export const configImport = z.looseObject({
  object: z.literal("config_import"),
  mode: z.enum(["merge", "replace"]),
  dry_run: z.boolean(),
  changes: z.array(
    z.looseObject({
      section: z.string().meta({ description: "The document's section: `providers`, `routing`, `rules`, …" }),
      name: z.string(),
      id: z.string().optional().meta({ description: "For things with an id beside their name (routing rules)" }),
      action: z.enum(["create", "update", "delete", "unchanged"]),
    }),
  ),
  summary: z.looseObject({ create: z.number().int(), update: z.number().int(), delete: z.number().int(), unchanged: z.number().int() }),
});
