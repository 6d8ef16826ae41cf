/**
 * Per-key and per-user limits as plain data and pure functions of time: requests and tokens per
 * minute (token buckets) and spend per day and per month. A call is admitted while the request
 * bucket has a token, the token bucket is not in debt, and neither budget is used up; its real
 * tokens and cost are charged when it ends (so calls in flight when a budget runs out finish).
 */
import { bucketPerMinute, canTake, msUntil, take, adjust, type TokenBucket } from "../core/token-bucket.ts";

export interface Limits {
  rpm?: number | null | undefined;
  tpm?: number | null | undefined;
  dailyBudgetUsd?: number | null | undefined;
  monthlyBudgetUsd?: number | null | undefined;
}

export const hasLimits = (l: Limits | null | undefined): l is Limits => !!l && (l.rpm != null || l.tpm != null || l.dailyBudgetUsd != null || l.monthlyBudgetUsd != null);

/** Which day and month it is in the usage time zone, and when each ends. */
export interface Period {
  day: string;
  month: string;
  dayEndsAt: number;
  monthEndsAt: number;
}

export interface Spend {
  day: string;
  dayUsd: number;
  month: string;
  monthUsd: number;
}

export interface LimitState {
  requests?: TokenBucket | undefined;
  tokens?: TokenBucket | undefined;
  spend: Spend;
}

export type Refusal = { reason: "rpm"; retryAfterMs: number } | { reason: "tpm"; retryAfterMs: number } | { reason: "daily_budget" | "monthly_budget"; retryAfterMs: number; resetsAt: number; spentUsd: number; budgetUsd: number };

export const newState = (period: Period): LimitState => ({ spend: { day: period.day, dayUsd: 0, month: period.month, monthUsd: 0 } });

/** A bucket of the configured size: kept while the limit is unchanged, new (full) when it changed. */
function sized(bucket: TokenBucket | undefined, perMinute: number | null | undefined, now: number): TokenBucket | undefined {
  if (perMinute == null) return undefined;
  return bucket && bucket.capacity === perMinute ? bucket : bucketPerMinute(perMinute, now);
}

/** Spend of the current day and month (a new day or month starts at zero). */
function current(spend: Spend, period: Period): Spend {
  return {
    day: period.day,
    dayUsd: spend.day === period.day ? spend.dayUsd : 0,
    month: period.month,
    monthUsd: spend.month === period.month ? spend.monthUsd : 0,
  };
}

/** Admits one request (taking its request token) or says why not. */
export function admit(state: LimitState, limits: Limits, period: Period, now: number): Refusal | undefined {
  state.spend = current(state.spend, period);
  if (limits.monthlyBudgetUsd != null && state.spend.monthUsd >= limits.monthlyBudgetUsd) return { reason: "monthly_budget", retryAfterMs: period.monthEndsAt - now, resetsAt: period.monthEndsAt, spentUsd: state.spend.monthUsd, budgetUsd: limits.monthlyBudgetUsd };
  if (limits.dailyBudgetUsd != null && state.spend.dayUsd >= limits.dailyBudgetUsd) return { reason: "daily_budget", retryAfterMs: period.dayEndsAt - now, resetsAt: period.dayEndsAt, spentUsd: state.spend.dayUsd, budgetUsd: limits.dailyBudgetUsd };
  state.requests = sized(state.requests, limits.rpm, now);
  state.tokens = sized(state.tokens, limits.tpm, now);
  // A call's tokens are charged when it ends: the bucket may go into debt, and then nothing is admitted until it refills.
  if (state.tokens && !canTake(state.tokens, 0, now, 1)) return { reason: "tpm", retryAfterMs: msUntil(state.tokens, 0, now, 1) };
  if (state.requests) {
    if (!canTake(state.requests, 1, now)) return { reason: "rpm", retryAfterMs: msUntil(state.requests, 1, now) };
    take(state.requests, 1, now);
  }
  return undefined;
}

/** Charges a finished call's tokens and cost. */
export function charge(state: LimitState, limits: Limits, used: { tokens: number; costUsd: number }, period: Period, now: number): void {
  state.spend = current(state.spend, period);
  state.spend.dayUsd += used.costUsd;
  state.spend.monthUsd += used.costUsd;
  state.tokens = sized(state.tokens, limits.tpm, now);
  if (state.tokens && used.tokens > 0) adjust(state.tokens, -used.tokens, now);
}
