// Simulator counters (SimStats) and their reset rule.

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
  /** Requests that carried a fault directive. */
  faults: number;
  /** In-flight requests whose client closed the connection before the response ended. */
  aborted: number;
  /** Requests rejected for a missing or wrong API key or token (401; Gemini 400/403). */
  unauthorized: number;
  /** Successful POST /auth token exchanges. */
  authExchanges: number;
  /** POST /auth exchanges refused for a wrong username or password. */
  authRefused: number;
}

/** Returns a fresh, all-zero counter object. */
export function emptyStats(): SimStats {
  return { inFlight: 0, maxInFlight: 0, requests: 0, completed: 0, rejected429: 0, faults: 0, aborted: 0, unauthorized: 0, authExchanges: 0, authRefused: 0 };
}

/**
 * Zeroes every counter in place. inFlight is live state and is kept (requests still running will
 * decrement it), so maxInFlight restarts from the current inFlight (0 when idle).
 */
export function resetStats(stats: SimStats): void {
  const live = stats.inFlight;
  Object.assign(stats, emptyStats(), { inFlight: live, maxInFlight: live });
}
