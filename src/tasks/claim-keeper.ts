/**
 * Keeps the D1 claims of one invocation alive: every hold (a runner waiting for a slot) and every
 * run it has, extended together by one statement every few seconds. Claims are short, so when an
 * invocation dies its tasks are free again within `CLAIM_TTL_MS`, and the sweeper requeues them.
 * A run whose claim turns out gone (the sweeper took it during a D1 stall, or it was cancelled)
 * is told, so it stops its call rather than run beside the task's next run.
 */
import type { Database } from "../db/client.ts";
import { extendClaims } from "../db/tasks.ts";

/** A hold or run lives this long past its last extension. */
export const CLAIM_TTL_MS = 10_000;
/** Extensions come this often: a third of the TTL, so two may fail in a row. */
const EXTEND_EVERY_MS = CLAIM_TTL_MS / 3;

export class ClaimKeeper {
  readonly #db: Database;
  readonly #tokens = new Map<string, (() => void) | undefined>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Until when a claim taken now holds. */
  static until(now = Date.now()): number {
    return now + CLAIM_TTL_MS;
  }

  /** Keeps a hold or run token alive until `drop`; `onLost` runs if its claim is found gone. */
  keep(token: string, onLost?: () => void): void {
    this.#tokens.set(token, onLost);
    this.#timer ??= setInterval(() => void this.#extend(), EXTEND_EVERY_MS);
  }

  drop(token: string): void {
    this.#tokens.delete(token);
    if (this.#tokens.size === 0) this.stop();
  }

  /** Stops extending (the invocation is ending); claims left lapse on their own. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #extend(): Promise<void> {
    const asked = [...this.#tokens.keys()];
    const held = await extendClaims(this.#db, asked, ClaimKeeper.until()).catch((e) => (console.error("could not extend task claims; they lapse unless the next try works", e), undefined));
    if (!held) return;
    for (const token of asked) if (!held.has(token) && this.#tokens.has(token)) this.#tokens.get(token)?.();
  }
}
