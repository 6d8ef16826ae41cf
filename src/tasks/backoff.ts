/**
 * How long a task waits before its next try: exponential back-off with full jitter (a uniform
 * draw below the exponential ceiling), so tasks refused together do not come back together;
 * an upstream's Retry-After is a floor, never shortened.
 */

export const BACKOFF = {
  /** Ceiling of the first wait. */
  baseMs: 1_000,
  /** No single wait is longer than this. */
  capMs: 5 * 60_000,
  /** Nor shorter than this. */
  minMs: 250,
} as const;

/** The wait before try `n + 1` after `n` tries of this kind (n ≥ 0), at least `floorMs`. */
export function backoffMs(n: number, floorMs = 0, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** Math.max(0, n));
  return Math.max(BACKOFF.minMs, floorMs, Math.round(random() * ceiling));
}
