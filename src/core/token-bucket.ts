/** A token bucket (RPM and TPM limits, failed-credential allowances) as plain data and pure functions of time. */

export interface TokenBucket {
  capacity: number;
  /** Tokens added per millisecond. */
  refillPerMs: number;
  level: number;
  updatedAt: number;
}

/** A bucket of `capacity` that refills fully over `windowMs` and starts full. */
export function bucketPer(capacity: number, windowMs: number, now: number): TokenBucket {
  return { capacity, refillPerMs: capacity / windowMs, level: capacity, updatedAt: now };
}

/** A bucket that refills `perMinute` tokens a minute and starts full. */
export function bucketPerMinute(perMinute: number, now: number): TokenBucket {
  return bucketPer(perMinute, 60_000, now);
}

/** Brings the bucket's level up to `now`. */
export function refill(bucket: TokenBucket, now: number): void {
  if (now > bucket.updatedAt) {
    bucket.level = Math.min(bucket.capacity, bucket.level + (now - bucket.updatedAt) * bucket.refillPerMs);
    bucket.updatedAt = now;
  }
}

/** Whether `n` tokens can be taken while leaving at least `keep` in the bucket. */
export function canTake(bucket: TokenBucket, n: number, now: number, keep = 0): boolean {
  refill(bucket, now);
  return bucket.level - n >= keep - 1e-9;
}

/** Takes `n` tokens (the caller checked `canTake`). */
export function take(bucket: TokenBucket, n: number, now: number): void {
  refill(bucket, now);
  bucket.level -= n;
}

/** Gives back (or, with a negative `n`, charges) tokens after the real cost is known. */
export function adjust(bucket: TokenBucket, n: number, now: number): void {
  refill(bucket, now);
  bucket.level = Math.min(bucket.capacity, bucket.level + n);
}

/** Milliseconds until `n` tokens (above `keep`) will be available. */
export function msUntil(bucket: TokenBucket, n: number, now: number, keep = 0): number {
  refill(bucket, now);
  const missing = n + keep - bucket.level;
  return missing <= 0 ? 0 : Math.ceil(missing / bucket.refillPerMs);
}
