/**
 * Keeps the D1 claims of one invocation alive: every hold (a runner waiting for a slot) and every
 * run it has, extended together by one statement every few seconds. Claims are short, so when an
 * invocation dies its tasks are free again within `CLAIM_TTL_MS`, and the sweeper requeues them.
 */
import type { Database } from "../db/client.ts";
import { extendClaims } from "../db/tasks.ts";

/** A hold or run lives this long past its last extension. */
export const CLAIM_TTL_MS = 10_000;
/** Extensions come this often: a third of the TTL, so two may fail in a row. */
const EXTEND_EVERY_MS = CLAIM_TTL_MS / 3;

export class ClaimKeeper {
  readonly #db: Database;
  readonly #tokens = new Set<string>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Until when a claim taken now holds. */
  static until(now = Date.now()): number {
    return now + CLAIM_TTL_MS;
  }

  /** Keeps a hold or run token alive until `drop`. */
  keep(token: string): void {
    this.#tokens.add(token);
    this.#timer ??= setInterval(() => void this.#extend(), EXTEND_EVERY_MS);
  }

  drop(token: string): void {
    this.#tokens.delete(token);
    if (this.#tokens.size === 0) this.stop();
  }

  /** Stops extending (the invocation is ending); claims left lapse on their own. */
  stop(): void {
    clearInterval(this.#timer ?? null);
    this.#timer = undefined;
  }

  async #extend(): Promise<void> {
    await extendClaims(this.#db, [...this.#tokens], ClaimKeeper.until()).catch((e) => console.error("could not extend task claims; they lapse unless the next try works", e));
  }
}
