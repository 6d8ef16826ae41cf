/**
 * Limits guessing: failed credentials are counted per client IP (and failed passwords also per
 * login name) in `FailureLimiter` objects, so the limit is exact across isolates. A valid key or
 * token is never counted or refused, so an attack cannot lock anyone out; a password, which could
 * be guessed, is checked against the block before it is verified. Blocks the limiter reports are
 * remembered in the isolate, so a blocked client's further failures cost no limiter call.
 */
import { GatewayError } from "../core/errors.ts";
import { settings, type Bindings } from "../env.ts";
import type { Allowance, Verdict } from "./failure-limiter.ts";

export interface Subject {
  key: string;
  allowance: Allowance;
}

const LOGIN_WINDOW_MS = 15 * 60_000;
const BLOCKS_MAX = 10_000;
/** Subject → when its block ends, as last reported by its limiter. */
const blocks = new Map<string, number>();

/** The caller's address as Cloudflare's edge reports it (set by the edge, not by the client). */
export function clientAddress(request: Request): string {
  return request.headers.get("cf-connecting-ip")?.trim() || "unknown";
}

/** Every failed credential from one client IP. */
export function addressSubject(env: Bindings, address: string): Subject {
  return { key: `ip:${address}`, allowance: { failures: settings(env).AUTH_FAILURES_PER_MINUTE, windowMs: 60_000 } };
}

/** Failed passwords for one login name, whether or not such a user exists (no enumeration). */
export function loginSubject(env: Bindings, login: string): Subject {
  return { key: `login:${login.trim().toLowerCase()}`, allowance: { failures: settings(env).LOGIN_FAILURES_PER_USERNAME, windowMs: LOGIN_WINDOW_MS } };
}

function limiter(env: Bindings, subject: Subject) {
  return env.FAILURE_LIMITER.get(env.FAILURE_LIMITER.idFromName(subject.key));
}

function remember(subject: Subject, verdict: Verdict, now: number): void {
  if (!verdict.blocked) return void blocks.delete(subject.key);
  if (blocks.size >= BLOCKS_MAX) blocks.delete(blocks.keys().next().value!);
  blocks.set(subject.key, now + verdict.retryAfterMs);
}

function tooMany(retryAfterMs: number): GatewayError {
  return new GatewayError("rate_limited", "too many failed credentials from this client or for this login; wait before trying again", {
    code: "too_many_failed_attempts",
    retryAfter: Math.max(1, retryAfterMs / 1000),
  });
}

/** Throws a 429 if this isolate already knows the subject is blocked; costs nothing otherwise. */
export function refuseIfKnownBlocked(subject: Subject, now = Date.now()): void {
  const until = blocks.get(subject.key);
  if (until === undefined) return;
  if (until <= now) blocks.delete(subject.key);
  else throw tooMany(until - now);
}

/** Before a password is checked: a 429 when any subject is blocked (asks the limiters). */
export async function refuseIfBlocked(env: Bindings, subjects: Subject[]): Promise<void> {
  const now = Date.now();
  for (const s of subjects) refuseIfKnownBlocked(s, now);
  const verdicts = await Promise.all(subjects.map((s) => limiter(env, s).check(s.allowance).catch(failOpen)));
  subjects.forEach((s, i) => remember(s, verdicts[i]!, now));
  const blocked = verdicts.filter((v) => v.blocked);
  if (blocked.length) throw tooMany(Math.max(...blocked.map((v) => v.retryAfterMs)));
}

/**
 * Counts a failed credential against every subject and returns the error to answer with: the
 * given one (401, or 409 for a registration), or a 429 when the attempt came while blocked.
 */
export async function countFailure(env: Bindings, subjects: Subject[], error: GatewayError): Promise<GatewayError> {
  const now = Date.now();
  const verdicts = await Promise.all(subjects.map((s) => limiter(env, s).fail(s.allowance).catch(failOpen)));
  subjects.forEach((s, i) => remember(s, verdicts[i]!, now));
  const late = verdicts.filter((v) => v.wasBlocked);
  return late.length ? tooMany(Math.max(...late.map((v) => v.retryAfterMs))) : error;
}

/** A limiter that cannot be reached does not lock everyone out: the attempt is judged on its merits. */
function failOpen(error: unknown): Verdict & { wasBlocked: boolean } {
  console.error("failure limiter unreachable; not limiting this attempt", error);
  return { blocked: false, wasBlocked: false, retryAfterMs: 0 };
}
