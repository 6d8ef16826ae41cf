import { describe, expect, it } from "vitest";
import {
  BREAKER,
  MAX_RECENT,
  admission,
  failureRatio,
  initialBreaker,
  outcomeKind,
  probeLost,
  recordOutcome,
  retryInMs,
  startProbe,
  type BreakerState,
} from "./breaker.ts";

/** Feeds `count` calls of `status`, one ms apart from `from`; returns the time after. */
function feed(state: BreakerState, status: number, count: number, from = 0): number {
  let now = from;
  for (let i = 0; i < count; i++, now++) recordOutcome(state, status, now, `c${now}`);
  return now;
}

/** A breaker that opened at time 0 after five failures. */
function tripped(): BreakerState {
  const b = initialBreaker();
  feed(b, 500, 5, -4);
  expect(b.openUntil).toBe(BREAKER.cooldownMs);
  return b;
}

describe("outcomeKind", () => {
  it("counts 2xx as success; auth, timeout and server errors as failure; the rest as neutral", () => {
    expect([200, 201, 204].map(outcomeKind)).toEqual(["success", "success", "success"]);
    expect([401, 403, 408, 500, 502, 503, 504].map(outcomeKind)).toEqual(Array(7).fill("failure"));
    expect([429, 400, 404, 413, 422, 499, 304].map(outcomeKind)).toEqual(Array(7).fill("neutral"));
  });
});

describe("closed", () => {
  it("admits calls and opens after five failures in a row, then refuses", () => {
    const b = initialBreaker();
    feed(b, 503, 4);
    expect(admission(b, 10)).toBe("yes");
    recordOutcome(b, 502, 10, "x");
    expect(b.phase).toBe("open");
    expect(b.trips).toBe(1);
    expect(admission(b, 11)).toBe("no");
    expect(retryInMs(b, 11)).toBe(BREAKER.cooldownMs - 1);
  });

  it("a success in between resets the run of failures", () => {
    const b = initialBreaker();
    let now = feed(b, 500, 4);
    recordOutcome(b, 200, now++, "ok");
    now = feed(b, 500, 4, now);
    expect(b.phase).toBe("closed");
    recordOutcome(b, 500, now, "last");
    expect(b.phase).toBe("open");
  });

  it("opens when half the calls in the window failed, once there are at least ten", () => {
    const b = initialBreaker();
    let now = 0;
    for (let i = 0; i < 4; i++) {
      recordOutcome(b, 200, now++, "ok");
      recordOutcome(b, 500, now++, "bad");
    }
    recordOutcome(b, 200, now++, "ok");
    expect(b.phase).toBe("closed"); // 4 of 9 failed
    recordOutcome(b, 500, now++, "bad");
    expect(b.phase).toBe("open"); // 5 of 10
    expect(failureRatio(b, now)).toBe(0.5);
  });

  it("forgets calls older than the window when computing the ratio", () => {
    const b = initialBreaker();
    let now = feed(b, 500, 4);
    now += BREAKER.windowMs + 1;
    now = feed(b, 200, 6, now);
    expect(failureRatio(b, now)).toBe(0);
    for (let i = 0; i < 4; i++) recordOutcome(b, 500, now++, "bad");
    expect(b.phase).toBe("closed"); // 4 of 10 in the window, 4 in a row
    expect(failureRatio(b, now + BREAKER.windowMs + 10)).toBeNull();
  });

  it("never opens on 429, 400, 404 or 499", () => {
    const b = initialBreaker();
    let now = 0;
    for (const status of [429, 400, 404, 499]) now = feed(b, status, 50, now);
    expect(b.phase).toBe("closed");
    expect(b.recent).toEqual([]);
    expect(admission(b, now)).toBe("yes");
  });

  it("keeps its record of recent calls bounded", () => {
    const b = initialBreaker();
    let now = 0;
    for (let i = 0; i < 5000; i++) recordOutcome(b, i % 4 === 0 ? 500 : 200, now++, "c");
    expect(b.recent.length).toBeLessThanOrEqual(MAX_RECENT);
    expect(b.phase).toBe("closed");
  });
});

describe("open and half-open", () => {
  it("after the cooldown admits exactly one probe and refuses others while it is in flight", () => {
    const b = tripped();
    expect(admission(b, BREAKER.cooldownMs - 1)).toBe("no");
    const t = BREAKER.cooldownMs + 4;
    expect(admission(b, t)).toBe("probe");
    startProbe(b, "p1");
    expect(b.phase).toBe("half_open");
    expect(admission(b, t)).toBe("no");
    expect(admission(b, t + 5_000)).toBe("no");
    expect(retryInMs(b, t)).toBeGreaterThan(0);
  });

  it("closes when the probe succeeds, with counts and cooldown reset", () => {
    const b = tripped();
    const t = BREAKER.cooldownMs + 4;
    admission(b, t);
    startProbe(b, "p1");
    recordOutcome(b, 200, t + 100, "p1");
    expect(b.phase).toBe("closed");
    expect(admission(b, t + 101)).toBe("yes");
    expect(retryInMs(b, t + 101)).toBe(0);
    expect(failureRatio(b, t + 101)).toBeNull();
    // Four new failures do not re-open it: the old run was forgotten.
    feed(b, 500, 4, t + 200);
    expect(b.phase).toBe("closed");
    expect(b.cooldownMs).toBe(BREAKER.cooldownMs);
  });

  it("re-opens when the probe fails, each time for twice as long, up to five minutes", () => {
    const b = tripped();
    let now = 0;
    const cooldowns: number[] = [];
    for (let i = 0; i < 8; i++) {
      now = b.openUntil;
      expect(admission(b, now)).toBe("probe");
      startProbe(b, `p${i}`);
      recordOutcome(b, 504, now + 50, `p${i}`);
      expect(b.phase).toBe("open");
      cooldowns.push(retryInMs(b, now + 50));
    }
    expect(cooldowns).toEqual([20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000, 300_000]);
    expect(b.trips).toBe(9);
  });

  it("ignores the outcome of calls that are not the probe", () => {
    const b = tripped();
    const t = BREAKER.cooldownMs;
    admission(b, t);
    startProbe(b, "p1");
    recordOutcome(b, 200, t + 1, "straggler");
    recordOutcome(b, 500, t + 1, "another");
    expect(b.phase).toBe("half_open");
    expect(admission(b, t + 2)).toBe("no");
  });

  it("lets another probe go when the probe is lost, and only for that probe", () => {
    const b = tripped();
    const t = BREAKER.cooldownMs;
    admission(b, t);
    startProbe(b, "p1");
    probeLost(b, "someone-else");
    expect(admission(b, t + 1)).toBe("no");
    probeLost(b, "p1");
    expect(retryInMs(b, t + 1)).toBe(0);
    expect(admission(b, t + 1)).toBe("probe");
    startProbe(b, "p2");
    recordOutcome(b, 200, t + 2, "p2");
    expect(b.phase).toBe("closed");
  });

  it("lets another probe go when the probe ends neutral", () => {
    const b = tripped();
    const t = BREAKER.cooldownMs;
    admission(b, t);
    startProbe(b, "p1");
    recordOutcome(b, 429, t + 1, "p1");
    expect(b.phase).toBe("half_open");
    expect(admission(b, t + 2)).toBe("probe");
  });

  it("follows the probe when its id changes from waiter to lease", () => {
    const b = tripped();
    const t = BREAKER.cooldownMs;
    admission(b, t);
    startProbe(b, "waiter-1");
    startProbe(b, "lease-1");
    recordOutcome(b, 200, t + 1, "lease-1");
    expect(b.phase).toBe("closed");
  });
});

describe("state", () => {
  it("survives a JSON round trip and a structured clone and still works", () => {
    const b = tripped();
    const t = BREAKER.cooldownMs;
    admission(b, t);
    startProbe(b, "p1");
    for (const copy of [JSON.parse(JSON.stringify(b)) as BreakerState, structuredClone(b)]) {
      expect(copy).toEqual(b);
      expect(admission(copy, t + 1)).toBe("no");
      recordOutcome(copy, 500, t + 2, "p1");
      expect(copy.phase).toBe("open");
      expect(retryInMs(copy, t + 2)).toBe(2 * BREAKER.cooldownMs);
    }
    expect(b.phase).toBe("half_open");
  });

  it("takes its own options", () => {
    const options = { ...BREAKER, consecutiveFailures: 2, cooldownMs: 1_000, maxCooldownMs: 1_500 };
    const b = initialBreaker(options);
    recordOutcome(b, 500, 0, "a", options);
    recordOutcome(b, 500, 1, "b", options);
    expect(b.phase).toBe("open");
    expect(retryInMs(b, 1)).toBe(1_000);
    expect(admission(b, 1_001)).toBe("probe");
    startProbe(b, "p");
    recordOutcome(b, 500, 1_002, "p", options);
    expect(retryInMs(b, 1_002)).toBe(1_500);
  });

  it("opens for the provider's own cooldown, whatever state it was made with", () => {
    const custom = { ...BREAKER, consecutiveFailures: 2, cooldownMs: 1_000 };
    const state = initialBreaker();
    recordOutcome(state, 500, 0, undefined, custom);
    recordOutcome(state, 500, 1, undefined, custom);
    expect(admission(state, 900)).toBe("no");
    expect(admission(state, 1_001)).toBe("probe");
  });
});
