/**
 * The `FailureLimiter` Durable Object, one per subject (a client IP, a user or login name): the
 * exact, cross-isolate count of failed credentials, as a token bucket that refills over its
 * window, kept in the object's storage so an idle or evicted limiter does not forget.
 * A guessable credential (a password, the root key) first `reserve`s a failure and gets it back
 * with `refund` when it turns out right, so guesses sent all at once cannot outrun the count.
 */
import { DurableObject } from "cloudflare:workers";
import { adjust, bucketPer, canTake, msUntil, take, type TokenBucket } from "../core/token-bucket.ts";

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

const KEY = "bucket";

export class FailureLimiter extends DurableObject {
  #bucket(allowance: Allowance, now: number): TokenBucket {
    const b = this.ctx.storage.kv.get<TokenBucket>(KEY);
    if (b && b.capacity === allowance.failures && b.refillPerMs === allowance.failures / allowance.windowMs) return b;
    return bucketPer(allowance.failures, allowance.windowMs, now);
  }

  #verdict(bucket: TokenBucket, now: number): Verdict {
    const blocked = !canTake(bucket, 1, now);
    return { blocked, retryAfterMs: blocked ? msUntil(bucket, 1, now) : 0 };
  }

  /**
   * Takes one failure ahead of checking a guessable credential. `allowed` false: the subject is
   * blocked and the credential must not be checked at all.
   */
  async reserve(allowance: Allowance): Promise<Verdict & { allowed: boolean }> {
    const now = Date.now();
    const bucket = this.#bucket(allowance, now);
    const allowed = canTake(bucket, 1, now);
    if (allowed) take(bucket, 1, now);
    this.ctx.storage.kv.put(KEY, bucket);
    return { allowed, ...this.#verdict(bucket, now) };
  }

  /** Gives back a reserved failure: the credential was right. */
  async refund(allowance: Allowance): Promise<void> {
    const now = Date.now();
    const bucket = this.#bucket(allowance, now);
    adjust(bucket, 1, now);
    this.ctx.storage.kv.put(KEY, bucket);
  }

  /** Counts one failure of a credential that was checked (an unguessable key or token). `wasBlocked`: answer 429, not 401. */
  async fail(allowance: Allowance): Promise<Verdict & { wasBlocked: boolean }> {
    const now = Date.now();
    const bucket = this.#bucket(allowance, now);
    const wasBlocked = !canTake(bucket, 1, now);
    if (!wasBlocked) take(bucket, 1, now);
    this.ctx.storage.kv.put(KEY, bucket);
    return { wasBlocked, ...this.#verdict(bucket, now) };
  }
}
