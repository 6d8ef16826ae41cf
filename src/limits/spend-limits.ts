/**
 * A call held to its key's and user's limits: admitted (or refused with the caller's error) before
 * it starts, charged its tokens and cost when it ends. Each limited key or user has its own
 * `SpendLimiter` Durable Object; a caller without limits never reaches one.
 */
import type { CallerLimits } from "../auth/principal.ts";
import { GatewayError } from "../core/errors.ts";
import { settings, type Bindings } from "../env.ts";
import { periodAt } from "./period.ts";
import { hasLimits, type Limits, type Refusal } from "./spend-policy.ts";

type Subject = { kind: "key" | "user"; id: string; limits: Limits };

/** The limited subjects of a caller: its key's and its user's limits. */
export function subjectsOf(limits: CallerLimits | undefined, keyId: string | null, userId: string | null): Subject[] {
  const subjects: Subject[] = [];
  if (limits?.key && keyId) subjects.push({ kind: "key", id: keyId, limits: limits.key });
  if (limits?.user && userId) subjects.push({ kind: "user", id: userId, limits: limits.user });
  return subjects;
}

const limiter = (env: Bindings, s: Subject) => env.SPEND_LIMITER.get(env.SPEND_LIMITER.idFromName(`${s.kind}:${s.id}`));

/** Admits a call for every subject, or throws the first refusal as the caller's error. */
export async function admitCall(env: Bindings, subjects: Subject[], now = Date.now()): Promise<void> {
  if (subjects.length === 0) return;
  const period = periodAt(now, settings(env).USAGE_UTC_OFFSET_MINUTES);
  const verdicts = await Promise.all(subjects.map(async (s) => ({ s, refusal: await limiter(env, s).admit(s.limits, period) })));
  const refused = verdicts.find((v) => v.refusal);
  if (refused?.refusal) throw refusalError(refused.s, refused.refusal);
}

/** Charges a finished call's tokens and cost to every subject. */
export async function chargeSubjects(env: Bindings, subjects: Subject[], used: { tokens: number; costUsd: number }, now = Date.now()): Promise<void> {
  if (subjects.length === 0 || (used.tokens === 0 && used.costUsd === 0)) return;
  const period = periodAt(now, settings(env).USAGE_UTC_OFFSET_MINUTES);
  await Promise.all(subjects.map((s) => limiter(env, s).charge(s.limits, used, period)));
}

/** Dollars as people read them: cents for a dollar or more, three significant digits below. */
const usd = (v: number) => `$${v >= 1 ? v.toFixed(2) : Number(v.toPrecision(3)).toString()}`;

function refusalError(s: Subject, r: Refusal): GatewayError {
  const who = s.kind === "key" ? "this API key" : "your account";
  if (r.reason === "rpm" || r.reason === "tpm") {
    const limit = r.reason === "rpm" ? `${s.limits.rpm} requests` : `${s.limits.tpm} tokens`;
    return new GatewayError("rate_limited", `${who} is over its limit of ${limit} per minute; retry later`, { code: "rate_limit_exceeded", retryAfter: Math.max(1, r.retryAfterMs / 1000) });
  }
  const which = r.reason === "daily_budget" ? "daily" : "monthly";
  const resets = new Date(r.resetsAt).toISOString();
  return new GatewayError("insufficient_quota", `${who} has used its ${which} budget (${usd(r.spentUsd)} of ${usd(r.budgetUsd)}); it resets at ${resets}, or an admin can raise it`, {
    code: "insufficient_quota",
    headers: { "x-should-retry": "false" },
  });
}

/** A key's spend today and this month, from its limiter; null for a key without limits. */
export async function keySpend(env: Bindings, key: { id: string } & Limits): Promise<{ day: string; day_usd: number; month: string; month_usd: number } | null> {
  if (!hasLimits(key)) return null;
  const s = await limiter(env, { kind: "key", id: key.id, limits: key }).spend(periodAt(Date.now(), settings(env).USAGE_UTC_OFFSET_MINUTES));
  return { day: s.day, day_usd: Math.round(s.dayUsd * 1e6) / 1e6, month: s.month, month_usd: Math.round(s.monthUsd * 1e6) / 1e6 };
}
