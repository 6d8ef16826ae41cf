/**
 * The `Governor` Durable Object, one per deployment (provider × key × upstream model): a thin
 * shell around the pure policy that stores its state, wakes it with alarms, and holds waiting
 * callers. It never sees LLM traffic. Every answer carries the deployment's view (load, latency,
 * breaker), which callers keep for routing their next calls.
 */
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env.ts";
import { ABORT_DRAIN_MS, FIRST_LEASE_TTL_MS, LEASE_TTL_MS } from "./lease-timing.ts";
import type { ShareGrant, ShareReport } from "./shares.ts";
import { GovernorPolicy, type Effects, type GovernorView, type Lane, type Outcome, type PolicyLimits, type RejectReason } from "./policy.ts";

/** While callers wait, wakes sooner than this are also timed in memory (alarms are coarse); the rest by alarm. */
const TIMER_HORIZON_MS = 5_000;
const STATE_KEY = "policy";

export interface AcquireArgs {
  lane: Lane;
  tenant: string;
  limits: PolicyLimits;
  tokens: number;
  waitMs: number;
  taskId?: string | undefined;
  deadline?: number | undefined;
}

export type AcquireResult =
  | { ok: true; leaseId: string; view: GovernorView }
  | { ok: false; reason: RejectReason; retryAfterMs: number; view: GovernorView };

/** What the shell resolves a waiter with; the view is added when the answer goes out. */
type Answer = { ok: true; leaseId: string } | { ok: false; reason: RejectReason; retryAfterMs: number };

export type LeaseWatch = "revoked" | "gone";

export class Governor extends DurableObject<Bindings> {
  #policy: GovernorPolicy | undefined;
  readonly #waiters = new Map<string, (result: Answer) => void>();
  readonly #watchers = new Map<string, ((state: LeaseWatch) => void)[]>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the alarm this object last set will fire (null or undefined: none set since it started or fired). */
  #alarmAt: number | null | undefined;

  #load(limits: PolicyLimits | undefined, now: number): GovernorPolicy {
    if (!this.#policy) {
      const snapshot = this.ctx.storage.kv.get<ReturnType<GovernorPolicy["snapshot"]>>(STATE_KEY);
      const initial = limits ?? snapshot?.limits ?? { maxConcurrency: 1 };
      this.#policy = new GovernorPolicy(initial, { leaseTtlMs: LEASE_TTL_MS, firstRenewMs: FIRST_LEASE_TTL_MS, abortDrainMs: ABORT_DRAIN_MS, newId: () => crypto.randomUUID() }, now, snapshot);
    }
    if (limits) this.#policy.configure(limits, now);
    return this.#policy;
  }

  /** Asks for a lease; resolves when granted, or with a refusal when the wait runs out. */
  async acquire(args: AcquireArgs): Promise<AcquireResult> {
    const now = Date.now();
    const policy = this.#load(args.limits, now);
    const waiterId = crypto.randomUUID();
    const { decision, lease, rejection, effects } = policy.acquire(waiterId, args, now);
    const result: Promise<Answer> =
      decision === "granted"
        ? Promise.resolve({ ok: true, leaseId: lease!.id })
        : decision === "rejected"
          ? Promise.resolve({ ok: false, reason: rejection!.reason, retryAfterMs: rejection!.retryAfterMs })
          : new Promise((resolve) => this.#waiters.set(waiterId, resolve));
    this.#apply(effects, now);
    const answer = await result;
    return { ...answer, view: this.#policy!.view(Date.now()) };
  }

  /** Gives a lease back with what happened upstream; unknown leases are ignored (idempotent). */
  async release(leaseId: string, outcome?: Outcome): Promise<GovernorView> {
    const now = Date.now();
    const policy = this.#load(undefined, now);
    this.#apply(policy.release(leaseId, outcome, now), now);
    this.#notify(leaseId, "gone");
    return policy.view(now);
  }

  /** An isolate asks for, renews or gives back its capacity share (see shares.ts). */
  async share(holder: string, report: ShareReport, limits: PolicyLimits): Promise<{ grant: ShareGrant; view: GovernorView }> {
    const now = Date.now();
    const policy = this.#load(limits, now);
    const { grant, effects } = policy.share(holder, report, now);
    this.#apply(effects, now);
    return { grant, view: policy.view(now) };
  }

  /** Keeps a lease alive during a long call; `revoked` tells the holder to abort. */
  async renew(leaseId: string): Promise<{ known: boolean; revoked: boolean }> {
    const now = Date.now();
    const state = this.#load(undefined, now).renew(leaseId, now);
    this.#persist(now);
    return state;
  }

  /** Resolves when the lease is revoked (preempted) or gone; a task holder races its call against it. */
  async watch(leaseId: string): Promise<LeaseWatch> {
    const state = this.#load(undefined, Date.now()).leaseState(leaseId);
    if (state !== "held") return state;
    return new Promise((resolve) => {
      const list = this.#watchers.get(leaseId) ?? [];
      list.push(resolve);
      this.#watchers.set(leaseId, list);
    });
  }

  /** The health check's probe was refused as a request this deployment does not serve (a chat probe to an embeddings model). */
  async markUnprobeable(until: number): Promise<void> {
    const now = Date.now();
    this.#load(undefined, now).markUnprobeable(until);
    this.#persist(now);
  }

  /** Lanes, limits and counters for `GET /api/status`; the provider's configured limits apply even before its first call. */
  async status(limits: PolicyLimits): Promise<ReturnType<GovernorPolicy["status"]>> {
    const now = Date.now();
    return this.#load(limits, now).status(now);
  }

  override async alarm(): Promise<void> {
    // A fired alarm is gone: the next persist sets the next one.
    this.#alarmAt = null;
    const now = Date.now();
    this.#apply(this.#load(undefined, now).tick(now), now);
  }

  #notify(leaseId: string, state: LeaseWatch): void {
    const list = this.#watchers.get(leaseId);
    if (!list) return;
    this.#watchers.delete(leaseId);
    for (const resolve of list) resolve(state);
  }

  #apply(effects: Effects, now: number): void {
    for (const { waiterId, lease } of effects.granted) {
      const resolve = this.#waiters.get(waiterId);
      this.#waiters.delete(waiterId);
      // A waiter that is gone (its object was evicted) leaves a lease that simply expires.
      resolve?.({ ok: true, leaseId: lease.id });
    }
    for (const { waiterId, reason, retryAfterMs } of effects.rejected) {
      this.#waiters.get(waiterId)?.({ ok: false, reason, retryAfterMs });
      this.#waiters.delete(waiterId);
    }
    for (const lease of effects.revoked) this.#notify(lease.id, "revoked");
    for (const lease of effects.expired) this.#notify(lease.id, "gone");
    this.#persist(now);
  }

  #persist(now: number): void {
    const policy = this.#policy;
    if (policy) this.ctx.storage.kv.put(STATE_KEY, policy.snapshot());
    const wake = policy?.nextWakeAt(now) ?? Infinity;
    // The alarm is written only when it must come sooner: an early alarm merely ticks and sets the
    // next, so most acquires and releases leave it alone (one storage write fewer per call).
    if (Number.isFinite(wake)) {
      const at = Math.max(wake, now + 1);
      if (this.#alarmAt == null || at < this.#alarmAt) {
        void this.ctx.storage.setAlarm(at);
        this.#alarmAt = at;
      }
    }
    // Alarms are durable but coarse; a short wake (a draining slot, a waiter's deadline) also gets a timer.
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (Number.isFinite(wake) && wake - now < TIMER_HORIZON_MS && (this.#waiters.size > 0 || this.#watchers.size > 0)) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        const at = Date.now();
        if (this.#policy) this.#apply(this.#policy.tick(at), at);
      }, Math.max(1, wake - now));
    }
  }
}
