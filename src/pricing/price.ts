/** A model's price and what a call's usage costs at it: pure. */
import type { TokenUsage } from "../core/canonical.ts";

/** USD per million tokens. Cached input and cache writes fall back to the input price. */
export interface Price {
  input: number;
  output: number;
  cachedInput?: number | undefined;
  cacheWrite?: number | undefined;
}

export interface Cost {
  /** What the call is charged: the list cost less the task lane's discount. */
  usd: number;
  /** At list price. */
  listUsd: number;
}

/** The price of the first name that has one, by exact name and then by the longest name it extends (`gpt-4o` for `gpt-4o-2024-08-06`). */
export function priceFor(prices: ReadonlyMap<string, Price>, names: readonly string[]): Price | undefined {
  for (const name of names) {
    const exact = prices.get(name);
    if (exact) return exact;
  }
  for (const name of names) {
    let best: string | undefined;
    for (const known of prices.keys()) {
      if (name.length > known.length && name.startsWith(known) && /[-@:._]/.test(name[known.length]!) && (!best || known.length > best.length)) best = known;
    }
    if (best) return prices.get(best);
  }
  return undefined;
}

/** Rounded to a millionth of a cent, so sums stay exact enough and rows stay short. */
const round = (usd: number) => Math.round(usd * 1e8) / 1e8;

/** The cost of a call's usage at `price`; `discount` (0 ≤ d < 1) is taken off task-lane calls. */
export function costOf(price: Price, usage: TokenUsage, discount = 0): Cost {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const written = Math.min(usage.cacheWriteTokens ?? 0, usage.inputTokens - cached);
  const plain = usage.inputTokens - cached - written;
  const list = (plain * price.input + cached * (price.cachedInput ?? price.input) + written * (price.cacheWrite ?? price.input) + usage.outputTokens * price.output) / 1e6;
  return { usd: round(list * (1 - discount)), listUsd: round(list) };
}
