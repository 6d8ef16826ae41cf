/**
 * The Worker's side of capacity shares (see shares.ts): this isolate's share of each governor's
 * realtime slots, a slot of it for a call (no round trip), and the renewals that keep it, sent in
 * the background with what the local calls did.
 */
import type { Bindings } from "../env.ts";
import { governorFor, type LeaseTarget } from "./lease.ts";
import type { GovernorView, Outcome } from "./policy.ts";
import { ABORT_DRAIN_MS } from "./lease-timing.ts";
import { LocalShare, SHARES } from "./shares.ts";

/** How often a running local call checks that its share is renewed in time. */
const KEEP_ALIVE_MS = 250;
/** Times an idle isolate tries to report what its last calls did. */
const IDLE_REPORT_TRIES = 5;

/** What a call holds while it runs: a governor lease, or a slot of the isolate's share. */
export interface Slot {
  /** Aborts when the governor takes the slot back (task leases only). */
  readonly lost: AbortSignal;
  readonly preempted: boolean;
  watchRevocation(): void;
  /** Gives the slot back with what happened upstream; never throws. */
  release(outcome?: Outcome): Promise<void>;
}

const shares = new Map<string, LocalShare>();
/** This isolate, to the governors (made on first use: no randomness at start-up in Workers). */
let holder: string | undefined;
const NEVER = new AbortController().signal;

function shareOf(governor: string): LocalShare {
  let share = shares.get(governor);
  if (!share) shares.set(governor, (share = new LocalShare()));
  return share;
}

/** Sends the share's report if one is due; resolves when the governor's answer is applied. */
function reportIfDue(env: Bindings, target: LeaseTarget, share: LocalShare, onView?: (view: GovernorView) => void): Promise<void> | undefined {
  const now = Date.now();
  if (!share.shouldReport(now)) return undefined;
  holder ??= crypto.randomUUID();
  const report = share.report(now, target.limits.maxConcurrency);
  return governorFor(env, target.governor)
    .share(holder, report, target.limits)
    .then(
      ({ grant, view }) => {
        share.settle(grant, report);
        onView?.(view);
      },
      (error: unknown) => {
        console.error("capacity share report failed", target.label, error instanceof Error ? error.message : error);
        share.settle(undefined, report);
      },
    );
}

/** A slot of this isolate's share of the deployment's realtime slots, if one is free now. */
export function takeSharedSlot(env: Bindings, target: LeaseTarget, waitUntil: (work: Promise<unknown>) => void, onView?: (view: GovernorView) => void): Slot | undefined {
  const share = shares.get(target.governor);
  if (!share?.tryTake(Date.now(), target.limits.maxConcurrency)) return undefined;
  const renewal = reportIfDue(env, target, share, onView);
  if (renewal) waitUntil(renewal);
  return new SharedSlot(env, target, share, waitUntil, onView);
}

/** A realtime call got its slot from the governor: steady traffic earns this isolate a share. */
export function noteGovernorSlot(env: Bindings, target: LeaseTarget, waitUntil: (work: Promise<unknown>) => void, onView?: (view: GovernorView) => void): void {
  const share = shareOf(target.governor);
  share.noteViaGovernor(Date.now());
  const asked = reportIfDue(env, target, share, onView);
  if (asked) waitUntil(asked);
}

/** Shares with an idle check pending (one per share): what idle calls did is reported about a second later. */
const idleChecks = new WeakSet<LocalShare>();

class SharedSlot implements Slot {
  readonly lost = NEVER;
  readonly preempted = false;
  #released = false;
  #keepAlive: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly env: Bindings,
    private readonly target: LeaseTarget,
    private readonly share: LocalShare,
    private readonly waitUntil: (work: Promise<unknown>) => void,
    private readonly onView?: (view: GovernorView) => void,
  ) {
    // A long call keeps the share renewed while it runs (the governor would otherwise count its slot free).
    const tick = () => {
      this.#keepAlive = setTimeout(() => {
        if (this.#released) return;
        const renewal = reportIfDue(this.env, this.target, this.share, this.onView);
        if (renewal) this.waitUntil(renewal);
        tick();
      }, KEEP_ALIVE_MS);
    };
    tick();
  }

  /** Reports what idle local calls did, retrying while a renewal is in flight or fails (a few times). */
  async #idleCheck(): Promise<void> {
    for (let tries = 0; tries < IDLE_REPORT_TRIES && this.share.unreported; tries++) {
      await scheduler.wait(SHARES.idleReportMs + 50);
      if (this.share.inUse > 0) return; // calls again: their own ends report
      await reportIfDue(this.env, this.target, this.share, this.onView);
    }
  }

  watchRevocation(): void {
    // A realtime slot is never taken back.
  }

  async release(outcome?: Outcome): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    if (this.#keepAlive !== undefined) clearTimeout(this.#keepAlive);
    this.share.give(outcome, Date.now(), ABORT_DRAIN_MS);
    const work: Promise<void>[] = [];
    const renewal = reportIfDue(this.env, this.target, this.share, this.onView);
    if (renewal) work.push(renewal);
    // The isolate's last call for now: report what the calls did once it has been idle a while.
    if (this.share.inUse === 0 && !idleChecks.has(this.share)) {
      idleChecks.add(this.share);
      work.push(this.#idleCheck().finally(() => idleChecks.delete(this.share)));
    }
    await Promise.all(work);
  }
}
