// Per-request lifecycle of an LLM request: exact in-flight accounting, cancellable timers and outcome tallies.
import type { ServerResponse } from "node:http";
import type { SimStats } from "./stats.ts";

/**
 * Tracks one admitted LLM request. Construction counts it in flight; the response's `close` event
 * (fired once, both when the response fully ended and when the connection dropped) counts it out,
 * cancels its timers and tallies `completed` or `aborted`.
 */
export class RequestScope {
  #res: ServerResponse;
  #stats: SimStats;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;
  #succeeded = false;
  #serverDestroyed = false;

  constructor(res: ServerResponse, stats: SimStats) {
    this.#res = res;
    this.#stats = stats;
    stats.inFlight++;
    if (stats.inFlight > stats.maxInFlight) stats.maxInFlight = stats.inFlight;
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

  /** Counts a fault directive for this request. */
  markFault(): void {
    this.#stats.faults++;
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
    this.#stats.inFlight--;
    if (this.#res.writableFinished) {
      if (this.#succeeded) this.#stats.completed++;
    } else if (!this.#serverDestroyed) {
      this.#stats.aborted++;
    }
  }
}
