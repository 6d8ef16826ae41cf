/**
 * The routing switch (seed 003): on, calls follow strategies and rules; off, every model uses its
 * default deployment first. A change takes effect only after a delay (so it can be seen coming,
 * and isolates reading a cached copy catch up), and after one takes effect the next must wait a
 * cooldown (so the gateway does not flap). Pure state transitions; the caller stores the state.
 */

export interface SwitchOptions {
  /** From asking to taking effect. */
  delayMs: number;
  /** After a change took effect, how long until another may be asked for. */
  cooldownMs: number;
}

export interface PendingChange {
  value: boolean;
  reason: string;
  by: string;
  requestedAt: number;
  effectiveAt: number;
}

export interface SwitchState {
  value: boolean;
  pending: PendingChange | null;
  lastEffectiveAt: number | null;
}

/** On, nothing pending, never changed. */
export const INITIAL_SWITCH: SwitchState = Object.freeze({ value: true, pending: null, lastEffectiveAt: null });

/** The state as of `now`: a pending change whose time has come is applied (returned too, for history). */
export function settle(state: SwitchState, now: number): { state: SwitchState; applied: PendingChange | null } {
  const p = state.pending;
  if (!p || p.effectiveAt > now) return { state, applied: null };
  return { state: { value: p.value, pending: null, lastEffectiveAt: p.effectiveAt }, applied: p };
}

export type ToggleRefusal = { reason: "pending"; until: number } | { reason: "cooldown"; until: number } | { reason: "unchanged" };

/**
 * Asks for value; refused while a change is pending, when value is already in force, or during
 * the cooldown after the last change took effect (checked in that order: asking for what is in
 * force is "unchanged" even in the cooldown). Otherwise the change is pending until now + delayMs.
 * Works on the state settled as of `now`; settle first yourself to keep a change it applies.
 */
export function toggle(
  state: SwitchState,
  request: { value: boolean; reason: string; by: string },
  now: number,
  options: SwitchOptions,
): { ok: true; state: SwitchState; change: PendingChange } | { ok: false; refusal: ToggleRefusal } {
  const current = settle(state, now).state;
  if (current.pending) return { ok: false, refusal: { reason: "pending", until: current.pending.effectiveAt } };
  if (current.value === request.value) return { ok: false, refusal: { reason: "unchanged" } };
  const cooldownEnds = cooldownUntil(current, options);
  if (cooldownEnds !== null && now < cooldownEnds) return { ok: false, refusal: { reason: "cooldown", until: cooldownEnds } };
  const change: PendingChange = { value: request.value, reason: request.reason, by: request.by, requestedAt: now, effectiveAt: now + options.delayMs };
  return { ok: true, state: { ...current, pending: change }, change };
}

/** When the next toggle may be asked for (null = now). */
export function nextToggleAt(state: SwitchState, now: number, options: SwitchOptions): number | null {
  const current = settle(state, now).state;
  if (current.pending) return current.pending.effectiveAt + options.cooldownMs;
  const cooldownEnds = cooldownUntil(current, options);
  return cooldownEnds !== null && now < cooldownEnds ? cooldownEnds : null;
}

function cooldownUntil(state: SwitchState, options: SwitchOptions): number | null {
  return state.lastEffectiveAt === null ? null : state.lastEffectiveAt + options.cooldownMs;
}
