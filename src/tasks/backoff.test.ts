import { describe, expect, it } from "vitest";
import { BACKOFF, backoffMs } from "./backoff.ts";

describe("backoffMs", () => {
  it("draws below a ceiling that doubles with each try, up to the cap", () => {
    expect(backoffMs(0, 0, () => 0.999)).toBe(999);
    expect(backoffMs(3, 0, () => 0.999)).toBe(7_992);
    expect(backoffMs(30, 0, () => 0.999)).toBe(Math.round(0.999 * BACKOFF.capMs));
  });

  it("spreads tasks refused together: the draws differ, over the whole range", () => {
    const waits = Array.from({ length: 1000 }, () => backoffMs(4));
    expect(new Set(waits).size).toBeGreaterThan(500);
    expect(Math.min(...waits)).toBeLessThan(4_000);
    expect(Math.max(...waits)).toBeGreaterThan(12_000);
  });

  it("never waits less than Retry-After, nor less than the minimum", () => {
    expect(backoffMs(0, 7_000, () => 0.5)).toBe(7_000);
    expect(backoffMs(10, 7_000, () => 0.9)).toBeGreaterThan(7_000);
    expect(backoffMs(0, 0, () => 0)).toBe(BACKOFF.minMs);
  });
});
