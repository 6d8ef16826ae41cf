// Token pacing: after a time-to-first-token delay, emits tokens at a fixed rate on a request's cancellable timers.
import type { RequestScope } from "./scope.ts";

/** Parameters of paceTokens. */
export interface PaceOptions {
  ttftMs: number;
  /** Tokens per second; Infinity emits everything at once. */
  tokensPerSecond: number;
  /** Number of tokens to emit. */
  count: number;
  /** Called once at ttft, before the first token. */
  onStart: () => void;
  /** Called for each token index 0..count-1. */
  onToken: (index: number) => void;
  /** Called after the last token (at ttft when count is 0). */
  onDone: () => void;
}

/**
 * Schedules token emission: token i is due at ttft + i / tokensPerSecond. Due times are computed from
 * the start, so timer lateness does not accumulate; tokens that became due together are emitted in one tick.
 * Stops silently when the request closes.
 */
export function paceTokens(scope: Pick<RequestScope, "after">, o: PaceOptions): void {
  const start = performance.now();
  const interval = o.tokensPerSecond === Infinity ? 0 : 1000 / o.tokensPerSecond;
  let next = 0;
  const tick = (): void => {
    const elapsed = performance.now() - start;
    // 1 ms tolerance: Node timers are millisecond-granular.
    while (next < o.count && o.ttftMs + next * interval <= elapsed + 1) o.onToken(next++);
    if (next >= o.count) return o.onDone();
    scope.after(o.ttftMs + next * interval - elapsed, tick);
  };
  scope.after(o.ttftMs, () => {
    o.onStart();
    tick();
  });
}

/** Total latency of a non-streaming completion: ttft + tokens / tokensPerSecond, in ms. */
export function totalLatencyMs(ttftMs: number, tokens: number, tokensPerSecond: number): number {
  return ttftMs + (tokensPerSecond === Infinity ? 0 : (tokens * 1000) / tokensPerSecond);
}
