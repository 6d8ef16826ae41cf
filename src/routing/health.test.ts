import { describe, expect, it } from "vitest";
import { healthOf, type HealthInputs } from "./health.ts";

const fine: HealthInputs = { breaker: "closed", failureRatio: 0, recentLatencyMs: 800, baselineLatencyMs: 800 };
const health = (extra: Partial<HealthInputs>) => healthOf({ ...fine, ...extra });

describe("healthOf", () => {
  it("is healthy with a closed breaker, few failures and usual latency", () => {
    expect(healthOf(fine)).toEqual({ state: "healthy", reasons: [] });
    expect(health({ failureRatio: null, recentLatencyMs: null, baselineLatencyMs: null })).toEqual({ state: "healthy", reasons: [] });
    expect(health({ failureRatio: 0.09 }).state).toBe("healthy");
  });

  it("is unhealthy while the breaker is open or half-open", () => {
    expect(health({ breaker: "open" })).toEqual({ state: "unhealthy", reasons: ["breaker open"] });
    expect(health({ breaker: "half_open" }).state).toBe("unhealthy");
  });

  it("is unhealthy when the heartbeat is older than its timeout, and says for how long", () => {
    expect(health({ heartbeatAgeMs: 75_000, heartbeatTimeoutMs: 60_000 })).toEqual({ state: "unhealthy", reasons: ["no heartbeat for 75 s"] });
    expect(health({ heartbeatAgeMs: 60_000, heartbeatTimeoutMs: 60_000 }).state).toBe("healthy");
    expect(health({ heartbeatAgeMs: 75_000, heartbeatTimeoutMs: null }).state).toBe("healthy");
  });

  it("is degraded from a tenth of calls failing", () => {
    expect(health({ failureRatio: 0.1 })).toEqual({ state: "degraded", reasons: ["10% of recent calls failed"] });
    expect(health({ failureRatio: 0.123 }).reasons).toEqual(["12% of recent calls failed"]);
  });

  it("is degraded when latency is above twice the usual and at least 500 ms above it", () => {
    expect(health({ recentLatencyMs: 2400, baselineLatencyMs: 800 })).toEqual({ state: "degraded", reasons: ["latency 2400 ms vs 800 ms usual"] });
    expect(health({ recentLatencyMs: 1600, baselineLatencyMs: 800 }).state).toBe("healthy"); // exactly 2×
    expect(health({ recentLatencyMs: 300, baselineLatencyMs: 100 }).state).toBe("healthy"); // 3×, only 200 ms more
    expect(health({ recentLatencyMs: 700, baselineLatencyMs: 200 }).state).toBe("degraded");
  });

  it("lists every reason that applies, the worst first", () => {
    const h = health({ breaker: "open", failureRatio: 0.6, recentLatencyMs: 5000, baselineLatencyMs: 800 });
    expect(h.state).toBe("unhealthy");
    expect(h.reasons).toEqual(["breaker open", "60% of recent calls failed", "latency 5000 ms vs 800 ms usual"]);
  });
});
