/**
 * Capacity shares, in the style of Doorman: while a deployment's headroom is large, its governor
 * hands an isolate with steady realtime traffic a few realtime slots for a short time. The isolate
 * admits realtime calls into them locally, with no round trip, and renews the share in the
 * background, reporting what its calls did (arrivals, outcomes) so the breaker and the task lane's
 * signals still learn from every call.
 *
 * The cap stays exact: the governor counts every slot of a share as in flight; the isolate never
 * has more calls in its share than it was granted; while a renewal is on its way the isolate admits
 * nothing new, so the in-use count it reported can only have fallen when the answer lands, and the
 * governor keeps max(new grant, reported in use) slots. A share the isolate stops renewing (it died)
 * expires like a lease; a live one is renewed while its calls run.
 */
import { outcomeKind } from "./breaker.ts";
import type { Outcome } from "./lease-types.ts";

export const SHARES = {
  /** How long a share lasts at the governor without renewal. */
  ttlMs: 2_000,
  /** The isolate stops using a share this long before the governor would expire it. */
  marginMs: 300,
  /** Renew when less than this is left (so a busy isolate renews about once a second). */
  renewWithinMs: 1_000,
  /** Realtime calls through the governor in the last `steadyWindowMs` that make traffic steady enough to ask. */
  steadyCalls: 10,
  steadyWindowMs: 2_000,
  /** A full share (calls falling through to the governor) asks to grow at most this often. */
  growEveryMs: 250,
  /** A renewal not answered within this is given up (the share unused until the next). */
  answerWithinMs: 1_000,
  /** After the last local call ended this long ago, what the calls did is reported. */
  idleReportMs: 1_000,
  /** Outcomes carried by one renewal at most; a full buffer renews at once. */
  maxOutcomes: 64,
} as const;

/** What an isolate tells the governor when it asks for (or renews) a share. */
export interface ShareReport {
  /** Calls in the share right now (none will start until the answer). */
  inUse: number;
  /** Slots it would like: its recent peak of calls at once (local, and through the governor), plus one. */
  want: number;
  /** Calls admitted locally since the last report. */
  arrivals: number;
  /** What those calls did upstream. */
  outcomes: Outcome[];
}

export interface ShareGrant {
  slots: number;
  ttlMs: number;
}

/**
 * The governor's rule: how many slots to give a holder. A share only while headroom is large:
 * nobody waiting, no request or token rates (those stay exact in the governor), the breaker
 * closed, and a quarter of the capacity still free after the grant. At most a quarter of the
 * capacity per holder.
 */
export function shareSize(input: { maxConcurrency: number; occupiedByOthers: number; anyoneWaiting: boolean; rateLimited: boolean; breakerClosed: boolean; want: number }): number {
  const { maxConcurrency: C, occupiedByOthers, anyoneWaiting, rateLimited, breakerClosed, want } = input;
  if (anyoneWaiting || rateLimited || !breakerClosed) return 0;
  const keepFree = Math.ceil(C / 4);
  const room = C - occupiedByOthers - keepFree;
  const size = Math.min(Math.max(1, want), Math.floor(C / 4), room);
  return size >= 1 ? size : 0;
}

/** An isolate's share of one governor's slots. Time is passed in, so it is testable as is. */
export class LocalShare {
  #slots = 0;
  #inUse = 0;
  /** Aborted local calls' slots, held until the upstream has surely noticed (ABORT_DRAIN_MS). */
  #draining: number[] = [];
  /** Slots the governor counts for this isolate (as of its last answer). */
  #accounted = 0;
  #validUntil = 0;
  /** The max_concurrency the share was granted under: a changed limit ends local admits. */
  #grantedUnder: number | undefined;
  /** The report whose answer is awaited: no local admits meanwhile. */
  #pending: ShareReport | undefined;
  /** A failure was seen: no local admits until the governor has heard of it. */
  #suspended = false;
  #failedSinceReport = false;
  #arrivals = 0;
  #outcomes: Outcome[] = [];
  #peak = 0;
  #viaGovernor: number[] = [];
  /** Realtime calls that went through the governor since the last report. */
  #fellThrough = 0;
  #lastAskAt = -Infinity;
  #lastEndAt = -Infinity;
  #sentAt = 0;

  get slots(): number {
    return this.#slots;
  }

  /** Local calls running, and aborted ones still draining. */
  get inUse(): number {
    return this.#inUse + this.#draining.length;
  }

  #tidy(now: number): void {
    if (this.#draining.length) this.#draining = this.#draining.filter((until) => until > now);
    // An answer that has not come in time will not be waited for: the renewal failed.
    if (this.#pending && now - this.#sentAt > SHARES.answerWithinMs) this.settle(undefined, this.#pending);
  }

  /** Takes a slot of the share for a realtime call, if there is a free one (under the same `maxConcurrency`). */
  tryTake(now: number, maxConcurrency: number): boolean {
    this.#tidy(now);
    if (this.#pending || this.#suspended || now >= this.#validUntil || this.inUse >= this.#slots || maxConcurrency !== this.#grantedUnder) return false;
    this.#inUse++;
    this.#arrivals++;
    this.#peak = Math.max(this.#peak, this.inUse);
    return true;
  }

  /** A local call ended; an aborted one (499) keeps its slot for `drainMs`. */
  give(outcome: Outcome | undefined, now: number, drainMs = 0): void {
    this.#inUse = Math.max(0, this.#inUse - 1);
    this.#lastEndAt = now;
    if (outcome?.status === 499 && drainMs > 0) this.#draining.push(now + drainMs);
    if (!outcome) return;
    this.#outcomes.push(outcome);
    const kind = outcomeKind(outcome.status);
    if (kind === "failure" || outcome.status === 429) {
      this.#suspended = true;
      this.#failedSinceReport = true;
    }
  }

  /** A realtime call went through the governor (no local slot free): steady traffic earns a share, and a full one grows. */
  noteViaGovernor(now: number): void {
    this.#viaGovernor.push(now);
    if (this.#viaGovernor.length > SHARES.steadyCalls) this.#viaGovernor.shift();
    this.#fellThrough++;
  }

  /** Whether local calls did anything the governor has not heard of yet. */
  get unreported(): boolean {
    return this.#arrivals > 0 || this.#outcomes.length > 0;
  }

  /** Whether to send a report now: to ask for a first share, renew one, tell of a failure, or tell what idle calls did. */
  shouldReport(now: number): boolean {
    this.#tidy(now);
    if (this.#pending) return false;
    // Slots the governor still counts for calls that have ended: give them back.
    if (this.#slots === 0 && this.inUse === 0 && this.#accounted > 0) return true;
    // Calls stopped: tell the governor what they did, so its signals do not wait for the next one.
    if (this.inUse === 0 && (this.#arrivals > 0 || this.#outcomes.length > 0) && now - this.#lastEndAt >= SHARES.idleReportMs) return true;
    const holding = this.#slots > 0 || this.inUse > 0;
    if (holding) {
      const outgrown = this.#fellThrough >= 2 && now - this.#lastAskAt >= SHARES.growEveryMs;
      return this.#suspended || outgrown || this.#outcomes.length >= SHARES.maxOutcomes || this.#validUntil - now < SHARES.renewWithinMs;
    }
    const steady = this.#viaGovernor.length >= SHARES.steadyCalls && now - this.#viaGovernor[0]! <= SHARES.steadyWindowMs;
    return steady && now - this.#lastAskAt >= SHARES.steadyWindowMs;
  }

  /** Starts a renewal under the deployment's current `maxConcurrency`: no local admits until `settle`. */
  report(now: number, maxConcurrency: number): ShareReport {
    this.#sentAt = now;
    this.#lastAskAt = now;
    this.#grantedUnder = maxConcurrency;
    this.#failedSinceReport = false;
    // Enough for the calls it had at once, locally and through the governor, and one more.
    const report: ShareReport = { inUse: this.inUse, want: this.#peak + this.#fellThrough + 1, arrivals: this.#arrivals, outcomes: this.#outcomes.slice(0, SHARES.maxOutcomes) };
    this.#arrivals = 0;
    this.#fellThrough = 0;
    this.#outcomes = this.#outcomes.slice(SHARES.maxOutcomes);
    this.#peak = this.inUse;
    this.#pending = report;
    return report;
  }

  /** The governor's answer to `report` (or none: it was unreachable, or too slow). A late answer to an abandoned report is ignored. */
  settle(grant: ShareGrant | undefined, report: ShareReport): void {
    if (report !== this.#pending) return;
    this.#pending = undefined;
    if (!grant) {
      // Nothing admitted locally until a governor answers; what the calls did is told next time.
      this.#slots = 0;
      this.#arrivals += report.arrivals;
      this.#outcomes.unshift(...report.outcomes);
      return;
    }
    // A failure that came after the report left is still to be told.
    this.#suspended = this.#failedSinceReport;
    this.#slots = grant.slots;
    // The governor now counts max(grant, reported in use) slots for this isolate, until it expires
    // them: from when the request left, since the governor's clock started no earlier.
    this.#accounted = Math.max(grant.slots, report.inUse);
    this.#validUntil = this.#accounted > 0 ? this.#sentAt + grant.ttlMs - SHARES.marginMs : 0;
    if (grant.slots === 0) this.#viaGovernor = [];
  }
}
