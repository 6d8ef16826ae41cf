// Per-request lifecycle of an LLM request: exact in-flight accounting, cancellable timers and outcome tallies.
import type { ServerResponse } from "node:http";
import type { KeyStats, SimStats } from "./stats.ts";

/** The counters a request updates both in the totals and in its caller's byKey entry. */
type Tally = Pick<SimStats, "inFlight" | "maxInFlight" | "completed" | "faults">;

/**
 * Tracks one admitted LLM request. Construction counts it in flight; the response's `close` event
 * (fired once, both when the response fully ended and when the connection dropped) counts it out,
 * cancels its timers and tallies `completed` or `aborted`. With `key` (its caller's byKey counters) the
 * same in-flight, completed and fault counts go there too.
 */
export class RequestScope {
  #res: ServerResponse;
  #stats: SimStats;
  #tallies: Tally[];
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;
  #succeeded = false;
  #serverDestroyed = false;

  constructor(res: ServerResponse, stats: SimStats, key?: KeyStats) {
    this.#res = res;
    this.#stats = stats;
    this.#tallies = key ? [stats, key] : [stats];
    for (const t of this.#tallies) {
      t.inFlight++;
      if (t.inFlight > t.maxInFlight) t.maxInFlight = t.inFlight;
    }
    res.once("close", () => this.#finish());
  }

  /** True once the response ended or the connection closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `fn` after `ms` unless the request closes first (its timer is then cleared). */
  after(ms: number, fn: () => void): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closed) fn();
    }, Math.min(Math.max(0, ms), 2 ** 31 - 1));
    this.#timers.add(timer);
  }

  /** Marks the response as a success: it counts in `completed` once it has been fully sent. */
  markSuccess(): void {
    this.#succeeded = true;
  }

  /** Counts a fault (directive or key fault) for this request. */
  markFault(): void {
    for (const t of this.#tallies) t.faults++;
  }

  /** Drops the connection on purpose (reset/cut faults); not counted as a client abort. */
  destroy(): void {
    this.#serverDestroyed = true;
    this.#res.destroy();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const t of this.#tallies) t.inFlight--;
    if (this.#res.writableFinished) {
      if (this.#succeeded) for (const t of this.#tallies) t.completed++;
    } else if (!this.#serverDestroyed) {
      this.#stats.aborted++;
    }
  }
}
