/**
 * What this isolate last heard from each deployment's governor (in flight, capacity, latency,
 * breaker), taken from the answers to its own acquires and releases. Routing reads it to order
 * deployments and to skip an open breaker without a round trip. A view older than a few seconds
 * is forgotten (the governor then answers for itself), except an open breaker, trusted until its
 * cooldown ends.
 */
import type { GovernorView } from "../scheduler/lease-types.ts";
import type { CandidateView } from "./strategy.ts";

/** How long a heard load figure is used. */
const FRESH_MS = 5_000;

interface Heard {
  view: GovernorView;
  at: number;
}

const heard = new Map<string, Heard>();
/** Deployments that asked for time (Retry-After): until when they go last. */
const cooling = new Map<string, number>();

/** A deployment answered 429/503 with Retry-After: order it last until `until`. */
export function noteCooling(governor: string, until: number): void {
  cooling.set(governor, until);
  if (cooling.size > 5_000) cooling.delete(cooling.keys().next().value!);
}

/** Remembers what a governor said (bounded: old entries go first). */
export function noteView(governor: string, view: GovernorView, now = Date.now()): void {
  heard.delete(governor);
  heard.set(governor, { view, at: now });
  if (heard.size > 5_000) heard.delete(heard.keys().next().value!);
}

/** The view routing orders by; undefined when nothing recent was heard. */
export function viewOf(governor: string, now = Date.now()): CandidateView | undefined {
  const h = heard.get(governor);
  const cools = (cooling.get(governor) ?? 0) > now;
  const open = Boolean(h && h.view.breaker === "open" && h.at + h.view.retryInMs > now);
  if (!h || (!open && now - h.at > FRESH_MS)) return cools ? { inFlight: 0, maxConcurrency: 1, ttftMs: null, open: true } : undefined;
  return { inFlight: h.view.inFlight, maxConcurrency: h.view.maxConcurrency, ttftMs: h.view.recentLatencyMs, open: open || cools };
}

/** For tests: forget everything heard. */
export function forgetViews(): void {
  heard.clear();
  cooling.clear();
}
