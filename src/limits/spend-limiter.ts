/**
 * The `SpendLimiter` Durable Object, one per limited key or user: the exact, cross-isolate count
 * of its requests and tokens per minute and its spend per day and month (see spend-policy.ts).
 * Spend is kept in the object's storage; the minute buckets live in memory (an evicted limiter
 * starts them full again, which only ever lets a little more through, never less).
 */
import { DurableObject } from "cloudflare:workers";
import { admit, charge, newState, type LimitState, type Limits, type Period, type Refusal, type Spend } from "./spend-policy.ts";

const SPEND = "spend";

export class SpendLimiter extends DurableObject {
  #state: LimitState | undefined;

  #load(period: Period): LimitState {
    if (!this.#state) {
      this.#state = newState(period);
      const spend = this.ctx.storage.kv.get<Spend>(SPEND);
      if (spend) this.#state.spend = spend;
    }
    return this.#state;
  }

  /** Admits one call or says why not (a rate or a budget). */
  admit(limits: Limits, period: Period): Refusal | undefined {
    return admit(this.#load(period), limits, period, Date.now());
  }

  /** Charges a finished call; answers the spend so far. */
  charge(limits: Limits, used: { tokens: number; costUsd: number }, period: Period): Spend {
    const state = this.#load(period);
    charge(state, limits, used, period, Date.now());
    if (used.costUsd > 0) this.ctx.storage.kv.put(SPEND, state.spend);
    return state.spend;
  }

  /** The spend so far (for the key's view). */
  spend(period: Period): Spend {
    const state = this.#load(period);
    const s = state.spend;
    return { day: period.day, dayUsd: s.day === period.day ? s.dayUsd : 0, month: period.month, monthUsd: s.month === period.month ? s.monthUsd : 0 };
  }
}
