/** The price of a model as admins and gateway.yaml write it (snake_case, USD per million tokens). */
import { z } from "zod";
import type { Price } from "./price.ts";

const usdPerMillion = (field: string) => z.number({ message: `${field} must be a number (USD per million tokens)` }).min(0, `${field} must not be negative`).max(10_000, `${field} is more than $10,000 per million tokens; is it per token?`);

export const priceInput = z.strictObject({
  input: usdPerMillion("input"),
  output: usdPerMillion("output"),
  cached_input: usdPerMillion("cached_input").optional(),
  cache_write: usdPerMillion("cache_write").optional(),
});

export const modelName = z.string().trim().min(1, "model is required").max(200);

/** `prices:` of gateway.yaml: model name → price. */
export const priceTable = z.record(modelName, priceInput);

export function priceOf(input: z.output<typeof priceInput>): Price {
  return { input: input.input, output: input.output, ...(input.cached_input !== undefined ? { cachedInput: input.cached_input } : {}), ...(input.cache_write !== undefined ? { cacheWrite: input.cache_write } : {}) };
}

export function priceEntries(table: z.output<typeof priceTable>): Record<string, Price> {
  return Object.fromEntries(Object.entries(table).map(([model, input]) => [model, priceOf(input)]));
}

/** A price as the API shows it. */
export function priceView(price: Price) {
  return { input: price.input, output: price.output, cached_input: price.cachedInput ?? null, cache_write: price.cacheWrite ?? null };
}
