/**
 * Limits guessing: failed credentials are counted per client IP (IPv6 per /64), and failed
 * passwords also per user (or per login name when no user has it), in `FailureLimiter` objects,
 * so the limit is exact across isolates. Two kinds of credential are treated differently:
 * - guessable ones (a password, the root key) reserve a failure before they are checked and get
 *   it back when right, so a blocked client cannot check them at all, however many it sends;
 * - unguessable ones (a gateway key, a signed token) are checked first: a valid one is never
 *   refused, so an attack cannot lock anyone out; a wrong one counts as a failure.
 * Blocks a limiter reports are remembered in the isolate, so a blocked client's further failures
 * cost no limiter call.
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

/**
 * The caller's address as Cloudflare's edge reports it (set by the edge, not by the client). An
 * IPv6 client is its /64: one host usually holds a whole /64, and would otherwise be many clients.
 */
export function clientAddress(request: Request): string {
  const address = request.headers.get("cf-connecting-ip")?.trim() || "unknown";
  return address.includes(":") && !address.includes(".") ? ipv6Slash64(address) : address;
}

/** The /64 network of an IPv6 address, in one spelling: "2001:db8:0:1::/64". */
function ipv6Slash64(address: string): string {
  const [head = "", tail] = address.toLowerCase().split("::");
  const before = head ? head.split(":") : [];
  const after = tail ? tail.split(":") : [];
  const groups = tail === undefined ? before : [...before, ...Array<string>(Math.max(0, 8 - before.length - after.length)).fill("0"), ...after];
  return `${groups.slice(0, 4).map((g) => parseInt(g || "0", 16).toString(16)).join(":")}::/64`;
}

/** Every failed credential from one client IP. */
export function addressSubject(env: Bindings, address: string): Subject {
  return { key: `ip:${address}`, allowance: { failures: settings(env).AUTH_FAILURES_PER_MINUTE, windowMs: 60_000 } };
}

/**
 * Failed passwords for one account: the user when one has this login (so username and email
 * share one allowance), else the login name itself (so unknown names are limited alike).
 */
export function loginSubject(env: Bindings, userId: string | undefined, login: string): Subject {
  const key = userId ? `user:${userId}` : `login:${login.trim().toLowerCase()}`;
  return { key, allowance: { failures: settings(env).LOGIN_FAILURES_PER_USERNAME, windowMs: LOGIN_WINDOW_MS } };
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
  return new GatewayError("rate_limited", "too many failed credentials from this client or for this account; wait before trying again", {
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

/** A failure reserved ahead of checking a guessable credential; settle it once the check is done. */
export interface Reservation {
  /** The credential was right: the reserved failures are given back. */
  succeeded(): Promise<void>;
}

/**
 * Before a guessable credential is checked: reserves one failure with every subject, or throws a
 * 429 (giving back what it reserved) when any subject is blocked. The credential is then checked;
 * if it was wrong the failure stands, if right `succeeded` gives it back.
 */
export async function reserveAttempt(env: Bindings, subjects: Subject[]): Promise<Reservation> {
  const now = Date.now();
  for (const s of subjects) refuseIfKnownBlocked(s, now);
  const verdicts = await Promise.all(subjects.map((s) => limiter(env, s).reserve(s.allowance).catch(failOpen)));
  subjects.forEach((s, i) => remember(s, verdicts[i]!, now));
  const refused = verdicts.filter((v) => !v.allowed);
  const refundAll = (which: Subject[]) => Promise.all(which.map((s) => limiter(env, s).refund(s.allowance).catch((e) => console.error("failure refund lost", e)))).then(() => undefined);
  if (refused.length) {
    await refundAll(subjects.filter((_, i) => verdicts[i]!.allowed));
    throw tooMany(Math.max(...refused.map((v) => v.retryAfterMs)));
  }
  return { succeeded: () => (subjects.forEach((s) => blocks.delete(s.key)), refundAll(subjects)) };
}

/**
 * After an unguessable credential (a key, a signed token) failed its check: counts the failure
 * and returns the error to answer with, the given 401, or a 429 when the client was already blocked.
 */
export async function countFailure(env: Bindings, subjects: Subject[], error: GatewayError): Promise<GatewayError> {
  const now = Date.now();
  const verdicts = await Promise.all(subjects.map((s) => limiter(env, s).fail(s.allowance).catch(failOpen)));
  subjects.forEach((s, i) => remember(s, verdicts[i]!, now));
  const late = verdicts.filter((v) => v.wasBlocked);
  return late.length ? tooMany(Math.max(...late.map((v) => v.retryAfterMs))) : error;
}

/** A limiter that cannot be reached does not lock everyone out: the attempt is judged on its merits. */
function failOpen(error: unknown): Verdict & { wasBlocked: boolean; allowed: boolean } {
  console.error("failure limiter unreachable; not limiting this attempt", error);
  return { blocked: false, wasBlocked: false, allowed: true, retryAfterMs: 0 };
}
