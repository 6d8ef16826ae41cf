/**
 * The prices calls are charged at: admins' (D1), over gateway.yaml's `prices:`, over the built-in
 * defaults. Read from D1 at most every 30 s per isolate, and at once in the isolate that changes
 * them; what a call costs is worked out in its finish hook, off the hot path.
 */
import type { TokenUsage } from "../core/canonical.ts";
import { database } from "../db/client.ts";
import { listModelPrices } from "../db/prices.ts";
import { settings, type Bindings } from "../env.ts";
import { configuredPrices } from "../routing/configured.ts";
import type { Lane } from "../scheduler/policy.ts";
import { DEFAULT_PRICES } from "./default-prices.ts";
import { costOf, priceFor, type Cost, type Price } from "./price.ts";

export type PriceSource = "admin" | "gateway.yaml" | "default";

export interface PriceBook {
  prices: Map<string, Price>;
  sources: Map<string, PriceSource>;
}

const TTL_MS = 30_000;
let cached: { book: PriceBook; until: number; db: D1Database } | undefined;

export async function priceBook(env: Bindings, now = Date.now()): Promise<PriceBook> {
  if (cached && cached.db === env.DB && cached.until > now) return cached.book;
  const rows = await listModelPrices(database(env.DB));
  const prices = new Map<string, Price>();
  const sources = new Map<string, PriceSource>();
  const put = (entries: Iterable<[string, Price]>, source: PriceSource) => {
    for (const [model, price] of entries) {
      prices.set(model, price);
      sources.set(model, source);
    }
  };
  put(Object.entries(DEFAULT_PRICES), "default");
  put(Object.entries(configuredPrices()), "gateway.yaml");
  put(rows.map((r) => [r.model, { input: r.input, output: r.output, cachedInput: r.cachedInput ?? undefined, cacheWrite: r.cacheWrite ?? undefined }] as [string, Price]), "admin");
  const book = { prices, sources };
  cached = { book, until: now + TTL_MS, db: env.DB };
  return book;
}

/** Drops this isolate's prices after an admin change. */
export function forgetPrices(): void {
  cached = undefined;
}

/**
 * What a call cost: priced by the upstream model first (what the provider bills), then the public
 * name. Undefined without usage or without a price.
 */
export async function callCost(env: Bindings, names: readonly (string | null | undefined)[], usage: TokenUsage | undefined, lane: Lane | null): Promise<Cost | undefined> {
  if (!usage) return undefined;
  const price = priceFor((await priceBook(env)).prices, names.filter((n): n is string => !!n));
  if (!price) return undefined;
  return costOf(price, usage, lane === "task" ? settings(env).TASK_DISCOUNT : 0);
}
