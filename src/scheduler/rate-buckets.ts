/**
 * A deployment's optional request and token rates (RPM, TPM) as token buckets, shared by both
 * lanes: realtime takes from them freely, tasks leave a few seconds of expected realtime arrivals
 * in them. Pure: every method takes `now`.
 */
import { adjust, bucketPerMinute, canTake, msUntil, refill, take, type TokenBucket } from "../core/token-bucket.ts";

/** How many milliseconds of realtime arrivals the buckets keep away from tasks. */
const RESERVE_MS = 10_000;
/** Tokens assumed per realtime call when keeping TPM for realtime. */
const TOKENS_PER_CALL = 500;

/** What a task must leave in each bucket. */
export interface BucketKeep {
  rpm: number;
  tpm: number;
}

const NOTHING: BucketKeep = { rpm: 0, tpm: 0 };

export class RateBuckets {
  rpm: TokenBucket | null;
  tpm: TokenBucket | null;

  constructor(state: { rpm: TokenBucket | null; tpm: TokenBucket | null } = { rpm: null, tpm: null }) {
    this.rpm = state.rpm;
    this.tpm = state.tpm;
  }

  /** Applies the deployment's current rates; a changed rate never refills a bucket. */
  configure(limits: { rpm?: number | undefined; tpm?: number | undefined }, now: number): void {
    this.rpm = limits.rpm ? resized(this.rpm, limits.rpm, now) : null;
    this.tpm = limits.tpm ? resized(this.tpm, limits.tpm, now) : null;
  }

  /** Whether any rate applies. */
  get limited(): boolean {
    return Boolean(this.rpm || this.tpm);
  }

  /** What tasks leave for the realtime calls expected soon (`arrivalsPerMs` of them). */
  keepFor(arrivalsPerMs: number): BucketKeep {
    const expected = arrivalsPerMs * RESERVE_MS;
    return {
      rpm: this.rpm ? Math.min(this.rpm.capacity / 2, expected) : 0,
      tpm: this.tpm ? Math.min(this.tpm.capacity / 2, expected * TOKENS_PER_CALL) : 0,
    };
  }

  /** Whether one request of `tokens` fits now, above `keep`. */
  allow(tokens: number, now: number, keep: BucketKeep = NOTHING): boolean {
    return (!this.rpm || canTake(this.rpm, 1, now, keep.rpm)) && (!this.tpm || canTake(this.tpm, tokens, now, keep.tpm));
  }

  /** Milliseconds until the buckets hold `tokens` (and one request) above `keep`; 0 if they do now. */
  waitMs(tokens: number, now: number, keep: BucketKeep = NOTHING): number {
    return Math.max(this.rpm ? msUntil(this.rpm, 1, now, keep.rpm) : 0, this.tpm ? msUntil(this.tpm, tokens, now, keep.tpm) : 0);
  }

  /** A call was admitted with this estimate. */
  take(tokens: number, now: number): void {
    if (this.rpm) take(this.rpm, 1, now);
    if (this.tpm) take(this.tpm, tokens, now);
  }

  /** A call used `actual` tokens where `estimated` were taken: the difference goes back (or is taken). */
  correct(estimated: number, actual: number | undefined, now: number): void {
    if (this.tpm && actual !== undefined) adjust(this.tpm, estimated - actual, now);
  }
}

/** A bucket of the new per-minute capacity that keeps what was taken from the old one (a change never refills it). */
function resized(bucket: TokenBucket | null, perMinute: number, now: number): TokenBucket {
  if (!bucket) return bucketPerMinute(perMinute, now);
  if (bucket.capacity === perMinute) return bucket;
  refill(bucket, now);
  const fresh = bucketPerMinute(perMinute, now);
  fresh.level = Math.min(perMinute, bucket.level);
  return fresh;
}
