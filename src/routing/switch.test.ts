import { describe, expect, it } from "vitest";
import { INITIAL_SWITCH, nextToggleAt, settle, toggle, type SwitchState } from "./switch.ts";

const options = { delayMs: 60_000, cooldownMs: 300_000 };
const off = { value: false, reason: "incident 42", by: "alice" };
const on = { value: true, reason: "resolved", by: "bob" };

function asked(state: SwitchState, request: typeof off, now: number): SwitchState {
  const r = toggle(state, request, now, options);
  if (!r.ok) throw new Error(`refused: ${r.refusal.reason}`);
  return r.state;
}

describe("routing switch", () => {
  it("starts on, with nothing pending, and may be toggled at once", () => {
    expect(INITIAL_SWITCH).toEqual({ value: true, pending: null, lastEffectiveAt: null });
    expect(nextToggleAt(INITIAL_SWITCH, 0, options)).toBeNull();
  });

  it("takes effect only after the delay", () => {
    const r = toggle(INITIAL_SWITCH, off, 1_000, options);
    expect(r.ok && r.change).toEqual({ value: false, reason: "incident 42", by: "alice", requestedAt: 1_000, effectiveAt: 61_000 });
    const pending = asked(INITIAL_SWITCH, off, 1_000);
    expect(settle(pending, 60_999)).toEqual({ state: pending, applied: null });
    expect(settle(pending, 60_999).state.value).toBe(true);
    const done = settle(pending, 61_000);
    expect(done.state).toEqual({ value: false, pending: null, lastEffectiveAt: 61_000 });
    expect(done.applied?.reason).toBe("incident 42");
  });

  it("refuses another change while one is pending, saying until when", () => {
    const pending = asked(INITIAL_SWITCH, off, 0);
    expect(toggle(pending, on, 10_000, options)).toEqual({ ok: false, refusal: { reason: "pending", until: 60_000 } });
    expect(nextToggleAt(pending, 10_000, options)).toBe(360_000);
  });

  it("refuses asking for the value already in force", () => {
    expect(toggle(INITIAL_SWITCH, on, 0, options)).toEqual({ ok: false, refusal: { reason: "unchanged" } });
    const isOff = settle(asked(INITIAL_SWITCH, off, 0), 60_000).state;
    expect(toggle(isOff, off, 10_000_000, options)).toEqual({ ok: false, refusal: { reason: "unchanged" } });
  });

  it("counts the cooldown from when the change took effect, not from when it was asked", () => {
    const isOff = settle(asked(INITIAL_SWITCH, off, 0), 60_000).state;
    expect(toggle(isOff, on, 300_000, options)).toEqual({ ok: false, refusal: { reason: "cooldown", until: 360_000 } });
    expect(nextToggleAt(isOff, 300_000, options)).toBe(360_000);
    expect(toggle(isOff, on, 359_999, options).ok).toBe(false);
    const r = toggle(isOff, on, 360_000, options);
    expect(r.ok).toBe(true);
    expect(nextToggleAt(isOff, 360_000, options)).toBeNull();
  });

  it("applies a change that came due before judging a new request", () => {
    const pending = asked(INITIAL_SWITCH, off, 0);
    // Not settled by the caller: the change is in force by now, and its cooldown runs.
    expect(toggle(pending, off, 100_000, options)).toEqual({ ok: false, refusal: { reason: "unchanged" } });
    expect(toggle(pending, on, 100_000, options)).toEqual({ ok: false, refusal: { reason: "cooldown", until: 360_000 } });
    expect(pending.pending).not.toBeNull();
  });

  it("settles idempotently", () => {
    const pending = asked(INITIAL_SWITCH, off, 0);
    const once = settle(pending, 70_000);
    const twice = settle(once.state, 70_000);
    expect(twice.state).toEqual(once.state);
    expect(twice.applied).toBeNull();
    expect(settle(twice.state, 999_999).state).toEqual(once.state);
  });

  it("does not change the state it is given", () => {
    const before = structuredClone(INITIAL_SWITCH);
    const pending = asked(INITIAL_SWITCH, off, 0);
    const copy = structuredClone(pending);
    settle(pending, 70_000);
    expect(INITIAL_SWITCH).toEqual(before);
    expect(pending).toEqual(copy);
  });
});
