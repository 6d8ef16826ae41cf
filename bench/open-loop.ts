// Open-loop arrivals for benchmarks: calls start on a seeded Poisson schedule, whether or not
// earlier ones have finished, as real users arrive.

export interface Sample {
  /** Start, ms since the loop began. */
  at: number;
  latencyMs: number;
  status: number;
}

/** A small deterministic PRNG so every run sees the same arrival pattern. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fires `send` at `ratePerSecond(elapsedMs)` until `stop()` says so (checked at each arrival),
 * then waits for the calls still out. Returns one sample per call.
 */
export async function openLoop(ratePerSecond: (elapsedMs: number) => number, stop: (elapsedMs: number) => boolean, send: () => Promise<number>, seed = 1): Promise<Sample[]> {
  const random = seeded(seed);
  const started = performance.now();
  const samples: Sample[] = [];
  const inFlight: Promise<void>[] = [];
  let clock = 0;
  for (;;) {
    const rate = ratePerSecond(clock);
    clock += rate > 0 ? (-Math.log(1 - random()) / rate) * 1000 : 100;
    const wait = started + clock - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (stop(performance.now() - started)) break;
    if (rate <= 0) continue;
    const at = performance.now() - started;
    inFlight.push(
      send().then(
        (status) => void samples.push({ at, latencyMs: performance.now() - started - at, status }),
        () => void samples.push({ at, latencyMs: performance.now() - started - at, status: 0 }),
      ),
    );
  }
  await Promise.all(inFlight);
  return samples.sort((a, b) => a.at - b.at);
}
