// Simulator counters (SimStats), per-key counters and their reset rule.
import type { Caller } from "./dialect.ts";

/** Counters of the LLM requests one caller (an API key, or POST /auth tokens) made. */
export interface KeyStats {
  /** LLM requests authenticated as this caller, including ones then rejected (429, bad request). */
  requests: number;
  /** Successful (2xx, fault-free) responses that were fully sent. */
  completed: number;
  /** Requests currently in flight. */
  inFlight: number;
  /** Highest inFlight observed since the key's first request or the last reset. */
  maxInFlight: number;
  /** Requests that got a fault (a directive or the key's keyFaults entry). */
  faults: number;
}

/** Counters exposed by Simulator.stats() and GET /sim/stats. */
export interface SimStats {
  /** LLM requests (every format: chat, embeddings, Anthropic messages, Gemini) currently in flight. */
  inFlight: number;
  /** Highest inFlight observed since start or the last reset. */
  maxInFlight: number;
  /** LLM requests received, including rejected ones. */
  requests: number;
  /** Successful (2xx, fault-free) LLM responses that were fully sent. */
  completed: number;
  /** Requests rejected with 429 by the concurrency cap or the RPM window (not fault=429). */
  rejected429: number;
  /** Requests that got a fault: a fault directive, or their key's keyFaults entry. */
  faults: number;
  /** In-flight requests whose client closed the connection before the response ended. */
  aborted: number;
  /** Requests rejected for a missing or wrong API key or token (401; Gemini 400/403). */
  unauthorized: number;
  /** Successful POST /auth token exchanges. */
  authExchanges: number;
  /** POST /auth exchanges refused for a wrong username or password. */
  authRefused: number;
  /**
   * Counters per caller of authenticated LLM requests, keyed by keyLabel(key) ("…" and the key's last 6
   * characters), or "token" for POST /auth tokens. Refused and anonymous requests have no entry. An entry
   * appears with its caller's first request.
   */
  byKey: Record<string, KeyStats>;
}

/** Label of requests authenticated by a POST /auth token in SimStats.byKey. */
export const TOKEN_LABEL = "token";

/**
 * The SimStats.byKey label of `key`: "…" and its last 6 characters. Tests can name a key's counters
 * without the full key showing up in their output or logs; keys must therefore differ in their last 6
 * characters to be counted apart (a key of 6 characters or fewer shows whole).
 */
export function keyLabel(key: string): string {
  return `…${key.slice(-6)}`;
}

/** The byKey label of `caller`; undefined for an anonymous one (authentication off, no key presented). */
export function callerLabel(caller: Caller): string | undefined {
  if (caller.kind === "key") return keyLabel(caller.key);
  return caller.kind === "token" ? TOKEN_LABEL : undefined;
}

/** The byKey counters of `label`, created at zero on first use. */
export function keyStats(stats: SimStats, label: string): KeyStats {
  return (stats.byKey[label] ??= { requests: 0, completed: 0, inFlight: 0, maxInFlight: 0, faults: 0 });
}

/** Returns a fresh, all-zero counter object. */
export function emptyStats(): SimStats {
  return { inFlight: 0, maxInFlight: 0, requests: 0, completed: 0, rejected429: 0, faults: 0, aborted: 0, unauthorized: 0, authExchanges: 0, authRefused: 0, byKey: {} };
}

/** A copy of `stats` that later requests do not change (byKey entries included). */
export function snapshotStats(stats: SimStats): SimStats {
  const byKey = Object.fromEntries(Object.entries(stats.byKey).map(([label, counters]) => [label, { ...counters }]));
  return { ...stats, byKey };
}

/**
 * Zeroes every counter in place. inFlight is live state and is kept (requests still running will
 * decrement it), so maxInFlight restarts from the current inFlight (0 when idle). The same holds per key;
 * byKey entries are zeroed in place rather than dropped, since running requests keep updating them.
 */
export function resetStats(stats: SimStats): void {
  const { inFlight, byKey } = stats;
  Object.assign(stats, emptyStats(), { inFlight, maxInFlight: inFlight, byKey });
  for (const counters of Object.values(byKey)) {
    Object.assign(counters, { requests: 0, completed: 0, faults: 0, maxInFlight: counters.inFlight });
  }
}
