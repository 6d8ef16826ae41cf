/**
 * A circuit breaker per deployment (provider × key × model): after enough failures the deployment
 * is refused at once, so callers go elsewhere instead of waiting on it; after a cooldown one call
 * goes through as the probe, and its outcome closes the breaker or opens it again for twice as
 * long (capped). Pure policy over a plain JSON object, kept in the governor's Durable Object state.
 */

export type BreakerPhase = "closed" | "open" | "half_open";

export interface BreakerOptions {
  /** Opens after this many failures in a row. */
  consecutiveFailures: number;
  /** Or when this share of the calls in the window failed... */
  failureRatio: number;
  windowMs: number;
  /** ...with at least this many calls in it. */
  minCalls: number;
  /** The first cooldown; doubled after each failed probe, up to `maxCooldownMs`. */
  cooldownMs: number;
  maxCooldownMs: number;
}

export const BREAKER: BreakerOptions = {
  consecutiveFailures: 5,
  failureRatio: 0.5,
  windowMs: 30_000,
  minCalls: 10,
  cooldownMs: 10_000,
  maxCooldownMs: 5 * 60_000,
};

/** At most this many calls are kept in `recent`, the latest, so the state stays small under heavy traffic. */
export const MAX_RECENT = 200;

/** What a caller refused while the probe is out is told to wait: the probe's answer usually comes soon. */
export const PROBE_RETRY_MS = 1_000;

export interface BreakerState {
  phase: BreakerPhase;
  consecutiveFailures: number;
  /** The calls in the window, oldest first. */
  recent: { at: number; ok: boolean }[];
  /** When an open breaker lets its probe go. */
  openUntil: number;
  /** The cooldown the next opening will last. */
  cooldownMs: number;
  /** The id of the half-open probe in flight, or null. */
  probe: string | null;
  /** How many times it has opened (from closed, or again after a failed probe). */
  trips: number;
}

export function initialBreaker(options: BreakerOptions = BREAKER): BreakerState {
  return { phase: "closed", consecutiveFailures: 0, recent: [], openUntil: 0, cooldownMs: options.cooldownMs, probe: null, trips: 0 };
}

/**
 * How a finished call counts: 2xx success; 401, 403, 408 and 5xx (incl. 502/503/504 the gateway
 * maps timeouts and connection errors to) failure; 429 (capacity, handled elsewhere), other 4xx
 * (the request's own fault) and 499 (the caller left) neutral.
 */
export function outcomeKind(status: number): "success" | "failure" | "neutral" {
  if (status >= 200 && status < 300) return "success";
  if (status === 401 || status === 403 || status === 408 || (status >= 500 && status < 600)) return "failure";
  return "neutral";
}

/**
 * Whether a new call may go: "yes" (closed), "probe" (open, cooldown over: this call is the one
 * half-open probe — the caller must then call startProbe), "no" (open, or half-open with its probe
 * in flight). Moves open → half_open when the cooldown is over.
 */
export function admission(state: BreakerState, now: number): "yes" | "probe" | "no" {
  if (state.phase === "closed") return "yes";
  if (state.phase === "open") {
    if (now < state.openUntil) return "no";
    state.phase = "half_open";
    state.probe = null;
  }
  return state.probe === null ? "probe" : "no";
}

/** The call admitted as "probe" is under way under this id (called again when its id changes, e.g. waiter → lease). */
export function startProbe(state: BreakerState, probeId: string): void {
  if (state.phase === "half_open") state.probe = probeId;
}

/**
 * Records a finished call. probeId is the call's id; when it is the half-open probe: success
 * closes (counts reset, cooldown back to the initial), failure re-opens with the cooldown doubled
 * (capped). In closed phase, opens on `consecutiveFailures` consecutive failures or when the
 * failure ratio over the window reaches `failureRatio` with at least `minCalls` calls. Neutral
 * outcomes change nothing, except that a probe ending neutral lets another probe go. Calls that
 * finish while open or half-open without being the probe (they started before it opened) are
 * kept for the failure ratio but move nothing.
 */
export function recordOutcome(state: BreakerState, status: number, now: number, probeId?: string, options: BreakerOptions = BREAKER): void {
  const kind = outcomeKind(status);
  const isProbe = state.phase === "half_open" && probeId !== undefined && state.probe === probeId;
  if (kind === "neutral") {
    if (isProbe) state.probe = null;
    return;
  }
  const ok = kind === "success";
  if (isProbe) {
    if (ok) close(state, options);
    else open(state, now, Math.max(options.cooldownMs, Math.min(options.maxCooldownMs, state.cooldownMs * 2)));
    return;
  }
  state.recent.push({ at: now, ok });
  prune(state, now, options);
  if (state.phase !== "closed") return;
  state.consecutiveFailures = ok ? 0 : state.consecutiveFailures + 1;
  if (ok) return;
  const ratio = failureRatio(state, now, options);
  const inWindow = state.recent.length;
  if (state.consecutiveFailures >= options.consecutiveFailures || (inWindow >= options.minCalls && ratio !== null && ratio >= options.failureRatio)) {
    // Opening from closed always starts with the first cooldown (the provider's setting, which may have changed).
    open(state, now, options.cooldownMs);
  }
}

/** The probe's call ended without an outcome (its lease expired, it was cancelled): another probe may go. */
export function probeLost(state: BreakerState, probeId: string): void {
  if (state.probe === probeId) state.probe = null;
}

/** Milliseconds until a call may be tried again (0 when admission would not be "no"). */
export function retryInMs(state: BreakerState, now: number): number {
  if (state.phase === "closed") return 0;
  if (state.phase === "open" && now < state.openUntil) return state.openUntil - now;
  return state.probe === null ? 0 : PROBE_RETRY_MS;
}

/** The failure ratio over the window (null with no calls in it), for health reporting. */
export function failureRatio(state: BreakerState, now: number, options: BreakerOptions = BREAKER): number | null {
  let calls = 0;
  let failures = 0;
  for (const r of state.recent) {
    if (now - r.at > options.windowMs) continue;
    calls++;
    if (!r.ok) failures++;
  }
  return calls === 0 ? null : failures / calls;
}

function open(state: BreakerState, now: number, cooldownMs: number): void {
  state.phase = "open";
  state.cooldownMs = cooldownMs;
  state.openUntil = now + cooldownMs;
  state.probe = null;
  state.consecutiveFailures = 0;
  state.trips++;
}

function close(state: BreakerState, options: BreakerOptions): void {
  state.phase = "closed";
  state.cooldownMs = options.cooldownMs;
  state.openUntil = 0;
  state.probe = null;
  state.consecutiveFailures = 0;
  state.recent = [];
}

/** Drops calls older than the window, and all but the latest MAX_RECENT. */
function prune(state: BreakerState, now: number, options: BreakerOptions): void {
  let drop = 0;
  while (drop < state.recent.length && now - state.recent[drop]!.at > options.windowMs) drop++;
  drop = Math.max(drop, state.recent.length - MAX_RECENT);
  if (drop > 0) state.recent.splice(0, drop);
}
