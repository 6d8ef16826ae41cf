/**
 * The governor's scheduling policy, pure: leases and lanes, admitting realtime first and tasks
 * into the headroom, using the parts beside it (preemption, the adaptive task limit, token
 * buckets, task ordering, the breaker, capacity shares). No timers, no I/O: every method takes
 * `now`, and returns what the shell must do (grant, reject, revoke).
 */
import { allowed, AIMD, cut, grow, initialTaskLimit, type TaskLimitState } from "./task-limit.ts";
import { arrivalRate, emptyDemand, latencyRising, recentLatency, recordArrival, recordLatency, type RealtimeDemand } from "./realtime-demand.ts";
import { pickNext, recentGrants, recordGrant, type ServiceRecord } from "./task-order.ts";
import { RateBuckets } from "./rate-buckets.ts";
import { admission, BREAKER, failureRatio, initialBreaker, outcomeKind, probeLost, recordOutcome, retryInMs, startProbe, type BreakerOptions, type BreakerState } from "./breaker.ts";
import { shareSize, SHARES, type ShareGrant, type ShareReport } from "./shares.ts";
import { finishingSoon, leasesToRevoke, preemptionCostMs, realtimeReserve } from "./preemption.ts";
import type { AcquireRequest, Effects, GovernorView, Lane, Lease, Outcome, PolicyLimits, PolicyOptions, PolicySnapshot, RejectReason, Rejection, Stats, Waiter } from "./lease-types.ts";

export type * from "./lease-types.ts";

/** After a breaker's cooldown, how long a probe is kept for a task when tasks have been asking. */
const PROBE_FOR_TASKS_MS = 5_000;

export class GovernorPolicy {
  #limits: PolicyLimits;
  #leases = new Map<string, Lease>();
  #waiting: Waiter[] = [];
  #taskLimit: TaskLimitState;
  #demand: RealtimeDemand = emptyDemand();
  #taskLatencyMs: number | null = null;
  #cooldownUntil = 0;
  #buckets = new RateBuckets();
  /** Release times plus the drain, one per aborted call whose slot is not yet free. */
  #draining: number[] = [];
  /** Each tenant's recent task grants (fair share). */
  #service: ServiceRecord = {};
  #breaker: BreakerState = initialBreaker();
  #lastSuccessAt: number | null = null;
  /** When a task last asked while the breaker refused: tasks are waiting (in the queue) to use this deployment. */
  #taskKnockedAt = -Infinity;
  /** Until when the health check leaves it alone: its probe was refused as a request it does not serve (an embeddings model). */
  #unprobeableUntil = 0;
  #stats: Stats = { granted: { realtime: 0, task: 0 }, rejected: 0, preemptions: 0, upstream429: 0, expiredLeases: 0 };
  readonly #options: PolicyOptions;

  constructor(limits: PolicyLimits, options: PolicyOptions, now: number, snapshot?: PolicySnapshot) {
    this.#options = options;
    this.#limits = limits;
    this.#taskLimit = initialTaskLimit(limits.maxConcurrency);
    if (snapshot) {
      this.#limits = snapshot.limits;
      for (const lease of snapshot.leases) this.#leases.set(lease.id, lease);
      this.#taskLimit = snapshot.taskLimit;
      this.#demand = snapshot.demand;
      this.#taskLatencyMs = snapshot.taskLatencyMs;
      this.#cooldownUntil = snapshot.cooldownUntil;
      this.#buckets = new RateBuckets(snapshot);
      this.#stats = snapshot.stats;
      this.#draining = snapshot.draining ?? [];
      this.#service = snapshot.service ?? {};
      this.#breaker = snapshot.breaker ?? initialBreaker();
      this.#lastSuccessAt = snapshot.lastSuccessAt ?? null;
      this.#taskKnockedAt = snapshot.taskKnockedAt ?? -Infinity;
      this.#unprobeableUntil = snapshot.unprobeableUntil ?? 0;
      // Waiters die with the object: a probe that was still waiting is gone, and another may go.
      if (this.#breaker.probe && !this.#leases.has(this.#breaker.probe)) probeLost(this.#breaker, this.#breaker.probe);
    }
    this.configure(limits, now);
  }

  /** Applies the provider's current limits (they travel with each acquire). */
  configure(limits: PolicyLimits, now: number): void {
    const previous = this.#limits;
    this.#limits = limits;
    // A breaker switched off (or given a new first cooldown) starts over, closed.
    if (limits.breaker?.enabled === false && this.#breaker.phase !== "closed") this.#breaker = initialBreaker(this.#breakerOptions());
    if (limits.maxConcurrency !== previous.maxConcurrency) {
      this.#taskLimit.limit = Math.min(this.#taskLimit.limit, limits.maxConcurrency);
      if (this.#taskLimit.limit < 1) this.#taskLimit = initialTaskLimit(limits.maxConcurrency);
    }
    this.#buckets.configure(limits, now);
  }

  /** A caller asks for a lease. It is granted now, waits, or is rejected. */
  acquire(waiterId: string, request: AcquireRequest, now: number): { decision: "granted" | "waiting" | "rejected"; lease?: Lease; rejection?: Rejection; effects: Effects } {
    const effects = emptyEffects();
    if (request.lane === "task" && request.deadline !== undefined && request.deadline <= now) {
      return { decision: "rejected", rejection: { waiterId, reason: "expired", retryAfterMs: 0 }, effects };
    }
    // A failing deployment is refused at once, so the caller tries another. After the cooldown one
    // call goes through as the probe: a task when tasks have been asking (they come back when told
    // to, at the cooldown's end), else whoever asks first. A realtime call gives way to them for
    // PROBE_FOR_TASKS_MS at most.
    const admit = this.#breakerOn() ? this.#admission(request.lane, now) : "yes";
    if (admit === "no") {
      if (request.lane === "task") this.#taskKnockedAt = now;
      this.#stats.rejected++;
      return { decision: "rejected", rejection: { waiterId, reason: "breaker_open", retryAfterMs: Math.max(1000, retryInMs(this.#breaker, now)) }, effects };
    }
    if (admit === "probe") startProbe(this.#breaker, waiterId);
    if (request.lane === "realtime") recordArrival(this.#demand, now);
    this.#waiting.push({ id: waiterId, request, enqueuedAt: now, waitUntil: now + Math.max(0, request.waitMs), probe: admit === "probe" || undefined });
    this.#pump(now, effects);
    const mine = effects.granted.findIndex((g) => g.waiterId === waiterId);
    if (mine !== -1) {
      const [grant] = effects.granted.splice(mine, 1);
      return { decision: "granted", lease: grant!.lease, effects };
    }
    if (request.waitMs <= 0) {
      this.#waiting = this.#waiting.filter((w) => w.id !== waiterId);
      this.#stats.rejected++;
      if (admit === "probe") probeLost(this.#breaker, waiterId);
      return { decision: "rejected", rejection: { waiterId, ...this.#refusal(request, now) }, effects };
    }
    return { decision: "waiting", effects };
  }

  /** The holder gives a lease back with what happened upstream. */
  release(leaseId: string, outcome: Outcome | undefined, now: number): Effects {
    const effects = emptyEffects();
    const lease = this.#leases.get(leaseId);
    if (!lease) return effects;
    this.#leases.delete(leaseId);
    if (lease.revoked || outcome?.status === 499) this.#draining.push(now + (this.#options.abortDrainMs ?? 0));
    const kind = outcome ? outcomeKind(outcome.status) : "neutral";
    if (kind === "success") this.#lastSuccessAt = now;
    // A probe that ended without saying anything about the deployment lets another probe go.
    if (kind === "neutral" || lease.revoked) probeLost(this.#breaker, lease.id);
    else if (this.#breakerOn()) recordOutcome(this.#breaker, outcome!.status, now, lease.id, this.#breakerOptions());
    if (outcome) this.#learn(lease, outcome, now);
    this.#pump(now, effects);
    return effects;
  }

  /**
   * An isolate asks for, renews or gives back its capacity share (see shares.ts), with what its
   * local calls did since it last reported. The share keeps max(grant, reported in use) slots.
   */
  share(holder: string, report: ShareReport, now: number): { grant: ShareGrant; effects: Effects } {
    const effects = emptyEffects();
    const id = `share:${holder}`;
    const current = this.#leases.get(id);
    for (let i = 0; i < report.arrivals; i++) recordArrival(this.#demand, now);
    this.#stats.granted.realtime += report.arrivals;
    const probe: Lease = current ?? { id, lane: "realtime", tenant: "share", tokens: 0, grantedAt: now, expiresAt: now, revoked: false };
    for (const outcome of report.outcomes) {
      const kind = outcomeKind(outcome.status);
      if (kind === "success") this.#lastSuccessAt = now;
      if (kind !== "neutral" && this.#breakerOn()) recordOutcome(this.#breaker, outcome.status, now, undefined, this.#breakerOptions());
      this.#learn(probe, outcome, now);
    }
    const slots = shareSize({
      maxConcurrency: this.#limits.maxConcurrency,
      occupiedByOthers: this.#occupied() - (current?.slots ?? 0),
      anyoneWaiting: this.#waiting.length > 0,
      rateLimited: this.#buckets.limited || this.#cooldownUntil > now,
      breakerClosed: this.#breaker.phase === "closed",
      want: report.want,
    });
    const held = Math.max(slots, report.inUse);
    if (held > 0) {
      // Calls already running keep their slots as long as a lease would; the unused rest lasts the share's short life.
      this.#leases.set(id, { ...probe, slots: held, expiresAt: now + (report.inUse > 0 ? this.#options.leaseTtlMs : SHARES.ttlMs) });
    } else this.#leases.delete(id);
    // Slots given back (or a failure that opened the breaker) may let waiters in.
    this.#pump(now, effects);
    return { grant: { slots, ttlMs: SHARES.ttlMs }, effects };
  }

  /** Extends a live lease; tells a revoked holder to stop. */
  renew(leaseId: string, now: number): { known: boolean; revoked: boolean } {
    const lease = this.#leases.get(leaseId);
    if (!lease) return { known: false, revoked: false };
    if (!lease.revoked) lease.expiresAt = now + this.#options.leaseTtlMs;
    return { known: true, revoked: lease.revoked };
  }

  /** Whether a lease is still held, and whether it was revoked. */
  leaseState(leaseId: string): "held" | "revoked" | "gone" {
    const lease = this.#leases.get(leaseId);
    return !lease ? "gone" : lease.revoked ? "revoked" : "held";
  }

  /** Time passes: leases past their expiry are reclaimed, waits and deadlines run out. */
  tick(now: number): Effects {
    const effects = emptyEffects();
    this.#draining = this.#draining.filter((until) => until > now);
    for (const lease of this.#leases.values()) {
      if (lease.expiresAt <= now) {
        this.#leases.delete(lease.id);
        // A share ends this way whenever its isolate's traffic stops; only a lease's expiry means a lost holder.
        if (lease.slots === undefined) this.#stats.expiredLeases++;
        probeLost(this.#breaker, lease.id);
        effects.expired.push(lease);
      }
    }
    this.#waiting = this.#waiting.filter((w) => {
      const { lane, deadline } = w.request;
      if (lane === "task" && deadline !== undefined && deadline <= now) {
        if (w.probe) probeLost(this.#breaker, w.id);
        effects.rejected.push({ waiterId: w.id, reason: "expired", retryAfterMs: 0 });
        return false;
      }
      if (w.waitUntil <= now) {
        this.#stats.rejected++;
        if (w.probe) probeLost(this.#breaker, w.id);
        effects.rejected.push({ waiterId: w.id, ...this.#refusal(w.request, now) });
        return false;
      }
      return true;
    });
    this.#pump(now, effects);
    return effects;
  }

  /** The next moment `tick` has something to do, or undefined. */
  nextWakeAt(now: number): number | undefined {
    let at = Infinity;
    for (const lease of this.#leases.values()) at = Math.min(at, lease.expiresAt);
    for (const until of this.#draining) at = Math.min(at, until);
    if (this.#taskLatencyMs !== null && this.#waiting.some((w) => w.request.lane === "realtime")) {
      // Re-check when a task realtime is waiting on stops counting as about to finish.
      const cost = this.#preemptionCostMs();
      for (const l of this.#leases.values()) if (l.lane === "task" && finishingSoon(l, this.#taskLatencyMs, cost, now)) at = Math.min(at, l.grantedAt + this.#taskLatencyMs + cost + 1);
    }
    for (const w of this.#waiting) {
      at = Math.min(at, w.waitUntil);
      if (w.request.deadline !== undefined) at = Math.min(at, w.request.deadline);
    }
    if (this.#waiting.length > 0 && this.#cooldownUntil > now) at = Math.min(at, this.#cooldownUntil);
    // Wake for a refill only where a waiter is held back by a bucket (not by slots).
    const keep = this.#bucketKeep(now);
    for (const w of this.#waiting) {
      const bucketWait = this.#buckets.waitMs(w.request.tokens, now, w.request.lane === "task" ? keep : undefined);
      if (bucketWait > 0) at = Math.min(at, now + Math.max(10, bucketWait));
    }
    return Number.isFinite(at) ? at : undefined;
  }

  /** Slots kept free of tasks for realtime arrivals (see preemption.ts). */
  reserve(now: number): number {
    return realtimeReserve(arrivalRate(this.#demand, now), this.#limits.maxConcurrency, this.#count("realtime"), this.#taskLatencyMs);
  }

  status(now: number) {
    const waitingRealtime = this.#waiting.filter((w) => w.request.lane === "realtime").length;
    return {
      maxConcurrency: this.#limits.maxConcurrency,
      rpm: this.#limits.rpm ?? null,
      tpm: this.#limits.tpm ?? null,
      realtimeInFlight: this.#count("realtime"),
      shares: this.#shares(),
      taskInFlight: this.#count("task"),
      taskLimit: Math.round(this.#taskLimit.limit * 100) / 100,
      reserve: this.reserve(now),
      waiting: { realtime: waitingRealtime, task: this.#waiting.length - waitingRealtime },
      revoking: [...this.#leases.values()].filter((l) => l.revoked).length,
      cooldownMs: Math.max(0, this.#cooldownUntil - now),
      latency: {
        realtimeRecentMs: round(recentLatency(this.#demand, now)),
        realtimeBaselineMs: round(this.#demand.baselineMs),
        taskAvgMs: round(this.#taskLatencyMs),
      },
      realtimeArrivalsPerSecond: Math.round(arrivalRate(this.#demand, now) * 1000 * 100) / 100,
      ...structuredClone(this.#stats),
      taskLimitCuts: this.#taskLimit.cuts,
      breaker: { phase: this.#breaker.phase, enabled: this.#breakerOn(), failureRatio: failureRatio(this.#breaker, now, this.#breakerOptions()), trips: this.#breaker.trips, retryInMs: retryInMs(this.#breaker, now) },
      lastSuccessAt: this.#lastSuccessAt,
      tasksWaiting: this.tasksWaiting(now),
      unprobeableUntil: this.#unprobeableUntil > now ? this.#unprobeableUntil : null,
    };
  }

  /** The health check's probe was refused as a request this deployment does not serve: no more probes until `until`. */
  markUnprobeable(until: number): void {
    this.#unprobeableUntil = until;
  }

  /** What callers hear with each answer, for routing their next calls. */
  view(now: number): GovernorView {
    return {
      inFlight: this.#occupied(),
      maxConcurrency: this.#limits.maxConcurrency,
      recentLatencyMs: round(recentLatency(this.#demand, now)),
      breaker: this.#breaker.phase,
      retryInMs: retryInMs(this.#breaker, now),
    };
  }

  snapshot(): PolicySnapshot {
    return structuredClone({
      limits: this.#limits,
      leases: [...this.#leases.values()],
      taskLimit: this.#taskLimit,
      demand: this.#demand,
      taskLatencyMs: this.#taskLatencyMs,
      cooldownUntil: this.#cooldownUntil,
      rpm: this.#buckets.rpm,
      tpm: this.#buckets.tpm,
      stats: this.#stats,
      draining: this.#draining,
      service: this.#service,
      breaker: this.#breaker,
      lastSuccessAt: this.#lastSuccessAt,
      taskKnockedAt: Number.isFinite(this.#taskKnockedAt) ? this.#taskKnockedAt : undefined,
      unprobeableUntil: this.#unprobeableUntil || undefined,
    });
  }

  /** The breaker's answer for a call of `lane`, holding the probe back for tasks when they have been asking. */
  #admission(lane: Lane, now: number): "yes" | "probe" | "no" {
    const b = this.#breaker;
    // When the probe became due (the cooldown's end; still that after a lost probe).
    const dueSince = b.openUntil;
    const tasksAsked = now - this.#taskKnockedAt < this.#breakerOptions().cooldownMs * 2 + PROBE_FOR_TASKS_MS;
    if (lane === "realtime" && b.phase !== "closed" && b.probe === null && tasksAsked && now >= dueSince && now - dueSince < PROBE_FOR_TASKS_MS) return "no";
    return admission(b, now);
  }

  /** Whether tasks have asked for this deployment lately (the health check sends no synthetic probe then). */
  tasksWaiting(now: number): boolean {
    return this.#waiting.some((w) => w.request.lane === "task") || now - this.#taskKnockedAt < this.#breakerOptions().cooldownMs * 2 + PROBE_FOR_TASKS_MS;
  }

  #breakerOn(): boolean {
    return this.#limits.breaker?.enabled !== false;
  }

  /** The provider's breaker settings over the defaults. */
  #breakerOptions(): BreakerOptions {
    const b = this.#limits.breaker;
    return { ...BREAKER, ...(b?.failures ? { consecutiveFailures: b.failures } : {}), ...(b?.failureRatio ? { failureRatio: b.failureRatio } : {}), ...(b?.cooldownMs ? { cooldownMs: b.cooldownMs } : {}) };
  }

  /** Slots taken: live leases plus aborted calls the upstream may not have noticed yet. */
  #occupied(): number {
    let n = this.#draining.length;
    for (const lease of this.#leases.values()) n += lease.slots ?? 1;
    return n;
  }

  /** Capacity shares held by isolates: how many, and their slots (counted in realtime in flight). */
  #shares(): { holders: number; slots: number } {
    let holders = 0;
    let slots = 0;
    for (const lease of this.#leases.values()) if (lease.slots !== undefined) (holders++, (slots += lease.slots));
    return { holders, slots };
  }

  #count(lane: Lane): number {
    let n = 0;
    for (const lease of this.#leases.values()) if (lease.lane === lane) n += lease.slots ?? 1;
    return n;
  }

  /** What tasks leave in the RPM/TPM buckets for the realtime calls expected soon. */
  #bucketKeep(now: number) {
    return this.#buckets.keepFor(arrivalRate(this.#demand, now));
  }

  #refusal(request: AcquireRequest, now: number): { reason: RejectReason; retryAfterMs: number } {
    const bucketWait = this.#buckets.waitMs(request.tokens, now);
    if (bucketWait > 0) return { reason: "rate_limited", retryAfterMs: bucketWait };
    return { reason: "busy", retryAfterMs: Math.max(1000, this.#cooldownUntil - now) };
  }

  #grant(w: Waiter, now: number, effects: Effects): void {
    const lease: Lease = {
      id: this.#options.newId(),
      lane: w.request.lane,
      tenant: w.request.tenant,
      taskId: w.request.taskId,
      tokens: w.request.tokens,
      grantedAt: now,
      // Until the holder's first renew, a short TTL: a grant to a caller that already left frees soon.
      expiresAt: now + Math.min(this.#options.leaseTtlMs, this.#options.firstRenewMs ?? this.#options.leaseTtlMs),
      revoked: false,
    };
    this.#buckets.take(lease.tokens, now);
    this.#leases.set(lease.id, lease);
    // The probe's outcome is recorded against its lease from now on.
    if (w.probe) startProbe(this.#breaker, lease.id);
    this.#stats.granted[lease.lane]++;
    if (lease.lane === "task") recordGrant(this.#service, lease.tenant, now);
    effects.granted.push({ waiterId: w.id, lease });
  }

  /** Admits whoever can go: realtime first (preempting tasks for slots), then tasks by urgency. */
  #pump(now: number, effects: Effects): void {
    const C = this.#limits.maxConcurrency;
    this.#draining = this.#draining.filter((until) => until > now);
    // The breaker opened while these waited: they go elsewhere now rather than wait on a failing deployment.
    if (this.#breaker.phase !== "closed") {
      this.#waiting = this.#waiting.filter((w) => {
        if (w.probe) return true;
        if (w.request.lane === "task") this.#taskKnockedAt = now;
        this.#stats.rejected++;
        effects.rejected.push({ waiterId: w.id, reason: "breaker_open", retryAfterMs: Math.max(1000, retryInMs(this.#breaker, now)) });
        return false;
      });
    }
    const realtime = this.#waiting.filter((w) => w.request.lane === "realtime");
    let blockedOnSlots = 0;
    for (const w of realtime) {
      if (this.#occupied() < C && this.#buckets.allow(w.request.tokens, now)) {
        this.#grant(w, now, effects);
        this.#waiting.splice(this.#waiting.indexOf(w), 1);
      } else if (this.#occupied() >= C && w.waitUntil > now) {
        // Only a caller that will wait is worth preempting a task for.
        blockedOnSlots++;
      }
    }
    if (blockedOnSlots > 0) this.#preempt(blockedOnSlots, now, effects);
    if (this.#waiting.some((w) => w.request.lane === "realtime")) return;

    const keep = this.#bucketKeep(now);
    while (now >= this.#cooldownUntil) {
      const tasks = this.#waiting.filter((w) => w.request.lane === "task");
      if (tasks.length === 0) break;
      const inFlightTasks = this.#count("task");
      if (inFlightTasks >= allowed(this.#taskLimit)) break;
      if (this.#occupied() >= C - this.reserve(now)) break;
      const running = this.#runningTasksByTenant();
      const loadOf = (tenant: string) => (running.get(tenant) ?? 0) + recentGrants(this.#service, tenant, now);
      const next = tasks[pickNext(tasks.map((w) => ({ tenant: w.request.tenant, deadline: w.request.deadline, enqueuedAt: w.enqueuedAt })), loadOf, now)]!;
      if (!this.#buckets.allow(next.request.tokens, now, keep)) break;
      this.#grant(next, now, effects);
      this.#waiting.splice(this.#waiting.indexOf(next), 1);
    }
  }

  #runningTasksByTenant(): Map<string, number> {
    const load = new Map<string, number>();
    for (const lease of this.#leases.values()) if (lease.lane === "task") load.set(lease.tenant, (load.get(lease.tenant) ?? 0) + 1);
    return load;
  }

  /** Revokes the youngest task leases until `needed` slots are on their way back (see preemption.ts). */
  #preempt(needed: number, now: number, effects: Effects): void {
    for (const lease of leasesToRevoke([...this.#leases.values()], needed, this.#draining.length, this.#taskLatencyMs, this.#preemptionCostMs(), now)) {
      lease.revoked = true;
      // A revoked holder gets a short grace to abort and release; then the slot is reclaimed anyway.
      lease.expiresAt = Math.min(lease.expiresAt, now + Math.min(this.#options.leaseTtlMs, 10_000));
      this.#stats.preemptions++;
      effects.revoked.push(lease);
    }
  }

  #preemptionCostMs(): number {
    return preemptionCostMs(this.#options.abortDrainMs ?? 0, this.#taskLatencyMs);
  }

  /** Feeds one finished call into the adaptive limits. */
  #learn(lease: Lease, outcome: Outcome, now: number): void {
    this.#buckets.correct(lease.tokens, outcome.tokens, now);
    const exhausted = outcome.remainingRequests === 0 || outcome.remainingTokens === 0;
    if (outcome.status === 429 || exhausted) {
      if (outcome.status === 429) this.#stats.upstream429++;
      cut(this.#taskLimit, AIMD.backoff, now);
      this.#cooldownUntil = Math.max(this.#cooldownUntil, now + (outcome.retryAfterMs ?? 1000));
      return;
    }
    if (outcome.status >= 400 || lease.revoked) return;
    if (lease.lane === "realtime") {
      recordLatency(this.#demand, outcome.ttftMs ?? outcome.latencyMs, now);
      if (latencyRising(this.#demand, now, this.#count("realtime"))) cut(this.#taskLimit, AIMD.latencyBackoff, now);
    } else {
      this.#taskLatencyMs = this.#taskLatencyMs === null ? outcome.latencyMs : this.#taskLatencyMs + 0.2 * (outcome.latencyMs - this.#taskLatencyMs);
      if (!latencyRising(this.#demand, now, this.#count("realtime"))) grow(this.#taskLimit, this.#limits.maxConcurrency, now);
    }
  }
}

function emptyEffects(): Effects {
  return { granted: [], rejected: [], revoked: [], expired: [] };
}

function round(x: number | null): number | null {
  return x === null ? null : Math.round(x);
}
