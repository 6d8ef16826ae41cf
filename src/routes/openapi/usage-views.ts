/** Response shapes of prices, cost, stats and key spend for the API docs. */
import { z } from "zod";
import { apiKey, listOf } from "./views.ts";

export const keyWithSpend = apiKey.extend({
  spend: z.looseObject({ day: z.string(), day_usd: z.number(), month: z.string(), month_usd: z.number() }).nullable().meta({ description: "What the key spent today and this month (null for a key without limits)" }),
});

export const modelPrice = z.looseObject({
  model: z.string(),
  object: z.literal("model_price"),
  input: z.number().meta({ description: "USD per million prompt tokens" }),
  output: z.number().meta({ description: "USD per million completion tokens" }),
  cached_input: z.number().nullable().meta({ description: "USD per million prompt tokens read from the provider's cache (null: the input price)" }),
  cache_write: z.number().nullable().meta({ description: "USD per million prompt tokens written to the cache (null: the input price)" }),
  source: z.enum(["admin", "gateway.yaml", "default"]).optional(),
});

export const priceList = listOf(modelPrice).extend({ currency: z.literal("USD"), unit: z.string() });

export const deletedPrice = z.looseObject({ model: z.string(), object: z.literal("model_price"), deleted: z.literal(true), now: modelPrice.partial().nullable().meta({ description: "The price the model has now (gateway.yaml's or the default), or null" }) });

const period = {
  since: z.string().meta({ description: "First day (YYYY-MM-DD, in USAGE_UTC_OFFSET_MINUTES)" }),
  until: z.string().meta({ description: "Last day, included" }),
  user_id: z.string().nullable().meta({ description: "Whose usage (null: everyone's, for admins)" }),
  currency: z.literal("USD"),
};

const cost = {
  cost_usd: z.number().meta({ description: "What calls cost, task discount applied" }),
  list_cost_usd: z.number().meta({ description: "At list price" }),
  saved_usd: z.number().meta({ description: "list_cost_usd − cost_usd: what the task discount saved" }),
  requests: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  unpriced_requests: z.number().int().meta({ description: "Calls with usage but no price for their model" }),
};

export const costCurrent = z.looseObject({ object: z.literal("cost.current"), ...period, today: z.looseObject({ date: z.string(), ...cost }), month: z.looseObject({ month: z.string(), ...cost }) });
export const costDaily = z.looseObject({ object: z.literal("list"), ...period, data: z.array(z.looseObject({ date: z.string(), ...cost })) });
export const costSummary = z.looseObject({ object: z.literal("cost.summary"), ...period, ...cost, average_cost_per_request_usd: z.number().nullable(), by_lane: z.array(z.looseObject({ lane: z.string().nullable(), ...cost })) });
export const costByModel = z.looseObject({ object: z.literal("list"), ...period, data: z.array(z.looseObject({ model: z.string().nullable(), ...cost, share: z.number().nullable().meta({ description: "Share of the period's cost" }) })) });
export const costByUser = z.looseObject({ object: z.literal("list"), ...period, data: z.array(z.looseObject({ user_id: z.string(), username: z.string().nullable(), ...cost })) });

const statsGroup = {
  requests: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  success_rate: z.number().nullable(),
  latency_ms: z.looseObject({ mean: z.number().nullable(), p50: z.number().nullable(), p90: z.number().nullable(), p99: z.number().nullable() }).meta({ description: "Percentiles estimated from latency buckets, as Prometheus' histogram_quantile does; mean exact" }),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  cost_usd: z.number(),
};

export const stats = z.looseObject({
  object: z.literal("stats"),
  ...period,
  totals: z.looseObject(statsGroup),
  by_provider: z.array(z.looseObject({ provider: z.string().nullable(), ...statsGroup })),
  by_model: z.array(z.looseObject({ model: z.string().nullable(), ...statsGroup })),
  by_lane: z.array(z.looseObject({ lane: z.string().nullable(), ...statsGroup })),
  by_day: z.array(z.looseObject({ date: z.string(), ...statsGroup })),
});
