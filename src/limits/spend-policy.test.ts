import { describe, expect, it } from "vitest";
import { periodAt } from "./period.ts";
import { admit, charge, newState } from "./spend-policy.ts";

const T0 = Date.parse("2026-11-22T10:00:00Z");

describe("spend policy", () => {
  it("admits rpm requests a minute, then says when the next one may come", () => {
    const period = periodAt(T0, 0);
    const state = newState(period);
    const limits = { rpm: 2 };
    expect(admit(state, limits, period, T0)).toBeUndefined();
    expect(admit(state, limits, period, T0)).toBeUndefined();
    expect(admit(state, limits, period, T0)).toEqual({ reason: "rpm", retryAfterMs: 30_000 });
    expect(admit(state, limits, period, T0 + 30_000)).toBeUndefined();
  });

  it("lets a call in while tokens remain, and charges its real tokens after (debt holds the next)", () => {
    const period = periodAt(T0, 0);
    const state = newState(period);
    const limits = { tpm: 600 };
    expect(admit(state, limits, period, T0)).toBeUndefined();
    charge(state, limits, { tokens: 900, costUsd: 0 }, period, T0);
    const refusal = admit(state, limits, period, T0);
    expect(refusal?.reason).toBe("tpm");
    // 300 tokens of debt plus one to spare, at 10 a second.
    expect(refusal?.retryAfterMs).toBe(30_100);
    expect(admit(state, limits, period, T0 + 30_100)).toBeUndefined();
  });

  it("refuses once a budget is used up, until the day (or month) turns", () => {
    const period = periodAt(T0, 0);
    const state = newState(period);
    const limits = { dailyBudgetUsd: 0.01, monthlyBudgetUsd: 1 };
    charge(state, limits, { tokens: 10, costUsd: 0.006 }, period, T0);
    expect(admit(state, limits, period, T0)).toBeUndefined();
    charge(state, limits, { tokens: 10, costUsd: 0.006 }, period, T0);
    expect(admit(state, limits, period, T0)).toMatchObject({ reason: "daily_budget", spentUsd: 0.012, budgetUsd: 0.01, retryAfterMs: 14 * 3600_000 });
    const tomorrow = periodAt(T0 + 86_400_000, 0);
    expect(admit(state, limits, tomorrow, T0 + 86_400_000)).toBeUndefined();
    expect(state.spend).toMatchObject({ dayUsd: 0, monthUsd: 0.012 });
  });

  it("starts the day in the usage time zone", () => {
    // 17:00 UTC is already the next day at UTC+8.
    const late = Date.parse("2026-11-22T17:00:00Z");
    expect(periodAt(late, 480)).toMatchObject({ day: "2026-11-23", month: "2026-11", dayEndsAt: Date.parse("2026-11-23T16:00:00Z"), monthEndsAt: Date.parse("2026-11-30T16:00:00Z") });
    expect(periodAt(Date.parse("2026-12-31T12:00:00Z"), 0).monthEndsAt).toBe(Date.parse("2027-01-01T00:00:00Z"));
  });
});
