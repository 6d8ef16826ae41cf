/**
 * The `FailureLimiter` Durable Object, one per subject (a client IP, a login name): the exact,
 * cross-isolate count of failed credentials, as a token bucket that refills over its window.
 * It is asked only when a credential fails and before a password is checked, never on a
 * request whose key or token is valid.
 */
import { DurableObject } from "cloudflare:workers";
import { bucketPer, canTake, msUntil, take, type TokenBucket } from "../core/token-bucket.ts";

/** How many failures a subject may have per window before it is blocked. */
export interface Allowance {
  failures: number;
  windowMs: number;
}

export interface Verdict {
  blocked: boolean;
  /** Until the next attempt is allowed, when blocked. */
  retryAfterMs: number;
}

export class FailureLimiter extends DurableObject {
  // In memory only: an idle limiter forgets, which costs an attacker the same wait as the refill.
  #bucket: TokenBucket | undefined;

  #current(allowance: Allowance, now: number): TokenBucket {
    const b = this.#bucket;
    if (!b || b.capacity !== allowance.failures || b.refillPerMs !== allowance.failures / allowance.windowMs) {
      this.#bucket = bucketPer(allowance.failures, allowance.windowMs, now);
    }
    return this.#bucket!;
  }

  /** Whether the subject may try now; counts nothing. */
  async check(allowance: Allowance): Promise<Verdict> {
    const now = Date.now();
    const bucket = this.#current(allowance, now);
    const blocked = !canTake(bucket, 1, now);
    return { blocked, retryAfterMs: blocked ? msUntil(bucket, 1, now) : 0 };
  }

  /** Counts one failure. `wasBlocked`: the attempt came while already blocked (answer 429, not 401). */
  async fail(allowance: Allowance): Promise<Verdict & { wasBlocked: boolean }> {
    const now = Date.now();
    const bucket = this.#current(allowance, now);
    const wasBlocked = !canTake(bucket, 1, now);
    if (!wasBlocked) take(bucket, 1, now);
    const blocked = !canTake(bucket, 1, now);
    return { wasBlocked, blocked, retryAfterMs: blocked ? msUntil(bucket, 1, now) : 0 };
  }
}
