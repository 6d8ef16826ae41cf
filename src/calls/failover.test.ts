import { describe, expect, it } from "vitest";
import { GatewayError, type ErrorKind } from "../core/errors.ts";
import { failoverDelayMs, worthFailingOver } from "./failover.ts";

const failure = (kind: ErrorKind, code?: string) => new GatewayError(kind, "failed", { code });

describe("worthFailingOver", () => {
  it("tries another deployment after capacity refusals and upstream failures", () => {
    for (const [kind, code] of [["rate_limited", undefined], ["upstream_unavailable", undefined], ["upstream_error", "upstream_auth_failed"], ["upstream_timeout", undefined]] as const) {
      expect(worthFailingOver(failure(kind, code))).toBe(true);
    }
  });

  it("never retries a request the upstream judged bad, a cancelled call, or the gateway's own bug", () => {
    expect(worthFailingOver(failure("invalid_request"))).toBe(false);
    expect(worthFailingOver(failure("not_found", "model_not_found"))).toBe(false);
    expect(worthFailingOver(failure("upstream_error", "cancelled"))).toBe(false);
    expect(worthFailingOver(failure("internal"))).toBe(false);
  });
});

describe("failoverDelayMs", () => {
  it("is full jitter over a window that doubles per attempt up to a cap", () => {
    expect(failoverDelayMs(1, () => 1)).toBe(20);
    expect(failoverDelayMs(2, () => 1)).toBe(40);
    expect(failoverDelayMs(10, () => 1)).toBe(500);
    expect(failoverDelayMs(3, () => 0)).toBe(0);
    expect(failoverDelayMs(3, () => 0.5)).toBe(40);
  });
});
