/** What the usage API shows of summed rollups: money, counts and latency percentiles. Pure. */
import { LATENCY_BUCKET_KEYS, LATENCY_BUCKETS_MS } from "../db/schema.ts";

export interface Totals {
  requests: number;
  succeeded: number;
  failed: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  listCostUsd: number;
  unpriced: number;
  latencyMsSum: number;
  /** Requests per latency bucket, in LATENCY_BUCKET_KEYS order. */
  buckets: number[];
}

export const emptyTotals = (): Totals => ({ requests: 0, succeeded: 0, failed: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, listCostUsd: 0, unpriced: 0, latencyMsSum: 0, buckets: LATENCY_BUCKET_KEYS.map(() => 0) });

/** Groups largest cost first (then most requests). */
export function largestFirst(groups: [string, Totals][]): [string, Totals][] {
  return [...groups].sort(([, a], [, b]) => b.costUsd - a.costUsd || b.requests - a.requests);
}

/**
 * The latency under which a share `q` of requests finished, estimated from the buckets as
 * Prometheus' histogram_quantile does (linear within the bucket); the slowest bucket answers
 * its lower bound. Null without requests.
 */
export function percentile(buckets: readonly number[], q: number): number | null {
  const count = buckets.reduce((a, b) => a + b, 0);
  if (count === 0) return null;
  const rank = q * count;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const n = buckets[i]!;
    if (seen + n >= rank && n > 0) {
      const lower = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1]!;
      const upper = LATENCY_BUCKETS_MS[i];
      if (upper === undefined) return lower;
      return Math.round(lower + ((upper - lower) * (rank - seen)) / n);
    }
    seen += n;
  }
  return LATENCY_BUCKETS_MS.at(-1)!;
}

const usd = (v: number) => Math.round(v * 1e6) / 1e6;

/** Money fields as the API shows them. */
export function costView(t: Totals) {
  return { cost_usd: usd(t.costUsd), list_cost_usd: usd(t.listCostUsd), saved_usd: usd(t.listCostUsd - t.costUsd), requests: t.requests, prompt_tokens: t.promptTokens, completion_tokens: t.completionTokens, unpriced_requests: t.unpriced };
}

/** Everything /api/stats shows of a group. */
export function statsView(t: Totals) {
  return {
    requests: t.requests,
    succeeded: t.succeeded,
    failed: t.failed,
    success_rate: t.requests === 0 ? null : Math.round((t.succeeded / t.requests) * 10_000) / 10_000,
    latency_ms: { mean: t.requests === 0 ? null : Math.round(t.latencyMsSum / t.requests), p50: percentile(t.buckets, 0.5), p90: percentile(t.buckets, 0.9), p99: percentile(t.buckets, 0.99) },
    prompt_tokens: t.promptTokens,
    completion_tokens: t.completionTokens,
    cost_usd: usd(t.costUsd),
  };
}
