import { describe, expect, it } from "vitest";
import { GovernorPolicy, type AcquireRequest, type Lease, type PolicyLimits } from "./policy.ts";
import { emptyDemand, latencyRising, recordLatency } from "./realtime-demand.ts";

const TTL = 30_000;

function policy(limits: PolicyLimits = { maxConcurrency: 4 }, now = 0) {
  let n = 0;
  return new GovernorPolicy(limits, { leaseTtlMs: TTL, newId: () => `L${++n}` }, now);
}

const rt = (extra: Partial<AcquireRequest> = {}): AcquireRequest => ({ lane: "realtime", tenant: "t", tokens: 10, waitMs: 1000, ...extra });
const task = (extra: Partial<AcquireRequest> = {}): AcquireRequest => ({ lane: "task", tenant: "t", tokens: 10, waitMs: 10_000, ...extra });

function grant(p: GovernorPolicy, id: string, req: AcquireRequest, now = 0): Lease {
  const r = p.acquire(id, req, now);
  if (r.decision !== "granted") throw new Error(`${id} not granted: ${r.decision}`);
  return r.lease!;
}

const ok = { status: 200, latencyMs: 100 };

/** Teaches the policy a task latency, then feeds `count` realtime calls `everyMs` apart; returns the time after. */
function warm(p: GovernorPolicy, taskLatencyMs: number, count: number, everyMs: number): number {
  let now = 0;
  p.release(grant(p, "warm-task", task(), now).id, { status: 200, latencyMs: taskLatencyMs }, now);
  for (let i = 0; i < count; i++, now += everyMs) p.release(grant(p, `warm-r${i}`, rt(), now).id, ok, now);
  return now;
}

describe("admission", () => {
  it("admits realtime at once up to max_concurrency, then queues it, then refuses when the wait runs out", () => {
    const p = policy({ maxConcurrency: 2 });
    grant(p, "a", rt());
    grant(p, "b", rt());
    expect(p.acquire("c", rt(), 0).decision).toBe("waiting");
    const effects = p.tick(1000);
    expect(effects.rejected).toEqual([{ waiterId: "c", reason: "busy", retryAfterMs: 1000 }]);
  });

  it("refuses at once when the caller cannot wait", () => {
    const p = policy({ maxConcurrency: 1 });
    grant(p, "a", rt());
    const r = p.acquire("b", rt({ waitMs: 0 }), 0);
    expect(r.decision).toBe("rejected");
    expect(r.rejection?.reason).toBe("busy");
  });

  it("hands a released slot to the first waiter", () => {
    const p = policy({ maxConcurrency: 1 });
    const a = grant(p, "a", rt());
    p.acquire("b", rt(), 0);
    p.acquire("c", rt(), 0);
    const effects = p.release(a.id, ok, 10);
    expect(effects.granted.map((g) => g.waiterId)).toEqual(["b"]);
  });

  it("serves waiting realtime before waiting tasks", () => {
    const p = policy({ maxConcurrency: 1 });
    const a = grant(p, "a", rt());
    p.acquire("t1", task(), 0);
    p.acquire("r1", rt(), 1);
    expect(p.release(a.id, ok, 5).granted.map((g) => g.waiterId)).toEqual(["r1"]);
  });

  it("ignores an unknown or repeated release", () => {
    const p = policy({ maxConcurrency: 1 });
    const a = grant(p, "a", rt());
    p.release(a.id, ok, 1);
    expect(p.release(a.id, ok, 2)).toEqual({ granted: [], rejected: [], revoked: [], expired: [] });
    expect(p.status(2).realtimeInFlight).toBe(0);
  });
});

describe("leases", () => {
  it("expire when the holder neither renews nor releases, freeing the slot", () => {
    const p = policy({ maxConcurrency: 1 });
    grant(p, "a", rt());
    p.acquire("b", rt({ waitMs: 60_000 }), 0);
    expect(p.nextWakeAt(0)).toBe(TTL);
    const effects = p.tick(TTL);
    expect(effects.expired).toHaveLength(1);
    expect(effects.granted.map((g) => g.waiterId)).toEqual(["b"]);
  });

  it("start with a short TTL until the first renew, so a grant to a caller that left frees soon", () => {
    let n = 0;
    const p = new GovernorPolicy({ maxConcurrency: 1 }, { leaseTtlMs: TTL, firstRenewMs: 5000, newId: () => `L${++n}` }, 0);
    const abandoned = grant(p, "gone", rt(), 0);
    expect(p.tick(5000).expired.map((l) => l.id)).toEqual([abandoned.id]);
    const kept = grant(p, "here", rt(), 6000);
    p.renew(kept.id, 8000);
    expect(p.tick(11_001).expired).toHaveLength(0);
    expect(p.leaseState(kept.id)).toBe("held");
  });

  it("stay alive while renewed", () => {
    const p = policy({ maxConcurrency: 1 });
    const a = grant(p, "a", rt());
    expect(p.renew(a.id, TTL - 1)).toEqual({ known: true, revoked: false });
    expect(p.tick(TTL + 10).expired).toHaveLength(0);
    expect(p.renew("nope", 0)).toEqual({ known: false, revoked: false });
  });

  it("survive a snapshot and restore (eviction)", () => {
    const p = policy({ maxConcurrency: 2 });
    grant(p, "b", task());
    grant(p, "a", rt());
    const restored = new GovernorPolicy({ maxConcurrency: 2 }, { leaseTtlMs: TTL, newId: () => "x" }, 5, p.snapshot());
    expect(restored.status(5)).toMatchObject({ realtimeInFlight: 1, taskInFlight: 1 });
    expect(restored.acquire("c", rt({ waitMs: 0 }), 5).decision).toBe("rejected");
  });
});

describe("preemption", () => {
  it("revokes the youngest task lease when realtime finds no slot, and seats realtime on its release", () => {
    const p = policy({ maxConcurrency: 2 });
    const old = grant(p, "t1", task(), 0);
    const young = grant(p, "t2", task(), 5);
    const r = p.acquire("r", rt(), 10);
    expect(r.decision).toBe("waiting");
    expect(r.effects.revoked.map((l) => l.id)).toEqual([young.id]);
    expect(p.leaseState(young.id)).toBe("revoked");
    expect(p.leaseState(old.id)).toBe("held");
    expect(p.renew(young.id, 11)).toEqual({ known: true, revoked: true });
    const effects = p.release(young.id, undefined, 12);
    expect(effects.granted.map((g) => g.waiterId)).toEqual(["r"]);
    expect(p.status(12).preemptions).toBe(1);
  });

  it("revokes one task per waiting realtime call, not more", () => {
    const p = policy({ maxConcurrency: 3 });
    grant(p, "t1", task(), 0);
    grant(p, "t2", task(), 1);
    grant(p, "t3", task(), 2);
    expect(p.acquire("r1", rt(), 3).effects.revoked).toHaveLength(1);
    expect(p.acquire("r2", rt(), 4).effects.revoked).toHaveLength(1);
    expect(p.status(4).revoking).toBe(2);
  });

  it("keeps a preempted call's slot taken briefly after release, until the upstream notices the abort", () => {
    let n = 0;
    const p = new GovernorPolicy({ maxConcurrency: 2 }, { leaseTtlMs: TTL, abortDrainMs: 50, newId: () => `L${++n}` }, 0);
    grant(p, "other", task(), 0);
    const t = grant(p, "t", task(), 1);
    p.acquire("r", rt(), 10);
    const released = p.release(t.id, undefined, 20);
    expect(released.granted).toHaveLength(0);
    expect(released.revoked).toHaveLength(0); // the draining slot is already on its way: no second victim
    expect(p.nextWakeAt(20)).toBe(70);
    expect(p.tick(70).granted.map((g) => g.waiterId)).toEqual(["r"]);
  });

  it("waits for a task about to finish instead of preempting, and preempts if it overruns", () => {
    let n = 0;
    const p = new GovernorPolicy({ maxConcurrency: 2 }, { leaseTtlMs: TTL, abortDrainMs: 25, newId: () => `L${++n}` }, 0);
    p.release(grant(p, "warm", task(), 0).id, { status: 200, latencyMs: 1000 }, 0); // tasks take ~1 s
    grant(p, "old", task(), 0);
    grant(p, "young", task(), 970);
    const r = p.acquire("r", rt({ waitMs: 5000 }), 980); // "old" should end at 1000
    expect(r.decision).toBe("waiting");
    expect(r.effects.revoked).toHaveLength(0);
    const wake = p.nextWakeAt(980)!;
    expect(wake).toBeGreaterThan(1000);
    expect(p.tick(wake).revoked.map((l) => l.id)).toEqual(["L3"]); // "old" overran: the youngest goes
  });

  it("does not preempt for a realtime caller that will not wait", () => {
    const p = policy({ maxConcurrency: 1 });
    grant(p, "t", task());
    expect(p.acquire("r", rt({ waitMs: 0 }), 1).effects.revoked).toHaveLength(0);
  });

  it("never preempts realtime for realtime", () => {
    const p = policy({ maxConcurrency: 1 });
    grant(p, "r1", rt());
    expect(p.acquire("r2", rt(), 1).effects.revoked).toHaveLength(0);
  });

  it("reclaims a revoked lease whose holder never releases it within the grace", () => {
    const p = policy({ maxConcurrency: 1 });
    grant(p, "t1", task(), 0);
    p.acquire("r", rt({ waitMs: 20_000 }), 1);
    const effects = p.tick(1 + 10_000);
    expect(effects.expired).toHaveLength(1);
    expect(effects.granted.map((g) => g.waiterId)).toEqual(["r"]);
  });
});

describe("the realtime reserve", () => {
  it("is zero with no realtime traffic, so tasks may fill every slot", () => {
    const p = policy({ maxConcurrency: 4 });
    for (let i = 0; i < 4; i++) grant(p, `t${i}`, task(), 0);
    expect(p.status(0).reserve).toBe(0);
  });

  it("grows with the realtime arrival rate and keeps slots free of tasks", () => {
    const p = policy({ maxConcurrency: 10 });
    // Tasks take 5 s each; then realtime arrives 100 times a second for ten seconds.
    const now = warm(p, 5000, 1000, 10);
    expect(p.reserve(now)).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 10; i++) p.acquire(`t${i}`, task(), now);
    const s = p.status(now);
    expect(s.reserve).toBeGreaterThanOrEqual(1);
    expect(s.taskInFlight).toBe(10 - s.reserve);
    // …and a realtime arrival finds a free slot without preempting anyone.
    const r = p.acquire("late", rt(), now);
    expect(r.decision).toBe("granted");
    expect(r.effects.revoked).toHaveLength(0);
  });

  it("is zero while realtime arrivals are rare next to task turnover", () => {
    const p = policy({ maxConcurrency: 10 });
    const now = warm(p, 100, 20, 1000);
    expect(p.reserve(now)).toBe(0);
  });

  it("decays when realtime traffic stops", () => {
    const p = policy({ maxConcurrency: 10 });
    const now = warm(p, 5000, 1000, 10);
    expect(p.reserve(now)).toBeGreaterThan(0);
    expect(p.reserve(now + 10 * 60_000)).toBe(0);
  });
});

describe("the adaptive task limit (AIMD)", () => {
  it("halves on an upstream 429 and pauses tasks for Retry-After, while realtime still flows", () => {
    const p = policy({ maxConcurrency: 8 });
    const t = grant(p, "t", task(), 0);
    p.release(t.id, { status: 429, latencyMs: 5, retryAfterMs: 2000 }, 10);
    const s = p.status(10);
    expect(s.taskLimit).toBe(4);
    expect(s.upstream429).toBe(1);
    expect(p.acquire("t2", task(), 20).decision).toBe("waiting");
    expect(p.acquire("r", rt(), 20).decision).toBe("granted");
    expect(p.tick(2010).granted.map((g) => g.waiterId)).toEqual(["t2"]);
  });

  it("cuts at most once per window however many 429s arrive together", () => {
    const p = policy({ maxConcurrency: 8 });
    const leases = [1, 2, 3].map((i) => grant(p, `t${i}`, task(), 0));
    for (const l of leases) p.release(l.id, { status: 429, latencyMs: 5 }, 10);
    expect(p.status(10).taskLimit).toBe(4);
  });

  it("grows back by about one slot per limit's worth of clean completions", () => {
    const p = policy({ maxConcurrency: 8 });
    p.release(grant(p, "x", task(), 0).id, { status: 429, latencyMs: 5, retryAfterMs: 1 }, 0);
    expect(p.status(0).taskLimit).toBe(4);
    let now = 10;
    for (let i = 0; i < 4; i++, now++) p.release(grant(p, `t${i}`, task(), now).id, ok, now);
    expect(p.status(now).taskLimit).toBeGreaterThan(4.9);
    expect(p.status(now).taskLimit).toBeLessThan(5.1);
  });

  it("never grows past max_concurrency", () => {
    const p = policy({ maxConcurrency: 2 });
    for (let i = 0; i < 50; i++) p.release(grant(p, `t${i}`, task(), i).id, ok, i);
    expect(p.status(50).taskLimit).toBe(2);
  });

  it("caps tasks at the limit even with free slots", () => {
    const p = policy({ maxConcurrency: 8 });
    p.release(grant(p, "x", task(), 0).id, { status: 429, latencyMs: 5, retryAfterMs: 1 }, 0);
    for (let i = 0; i < 8; i++) p.acquire(`t${i}`, task(), 5);
    expect(p.status(5).taskInFlight).toBe(4);
  });

  it("cuts when realtime latency rises above its baseline", () => {
    const p = policy({ maxConcurrency: 8 });
    let now = 0;
    for (let i = 0; i < 10; i++, now += 10) p.release(grant(p, `r${i}`, rt(), now).id, { status: 200, latencyMs: 100 }, now);
    expect(p.status(now).taskLimit).toBe(8);
    for (let i = 0; i < 10; i++, now += 200) p.release(grant(p, `s${i}`, rt(), now).id, { status: 200, latencyMs: 400 }, now);
    expect(p.status(now).taskLimit).toBeLessThan(8);
    expect(p.status(now).taskLimitCuts).toBeGreaterThan(0);
  });

  it("regrows to fill the headroom within seconds once a realtime latency burst ends", () => {
    const p = policy({ maxConcurrency: 8 });
    const TASK_MS = 700;
    // Every granted call runs for its latency; a preempted task's holder gives its slot back at once.
    const running = new Map<string, { until: number; latencyMs: number }>();
    let realtimeMs = 100;
    const apply = (effects: { granted: { lease: Lease }[]; revoked: Lease[] }, now: number) => {
      for (const { lease } of effects.granted) {
        const latencyMs = lease.lane === "task" ? TASK_MS : realtimeMs;
        running.set(lease.id, { until: now + latencyMs, latencyMs });
      }
      for (const lease of effects.revoked) {
        running.delete(lease.id);
        apply(p.release(lease.id, undefined, now), now);
      }
    };
    const arrive = (id: string, req: AcquireRequest, now: number) => {
      const r = p.acquire(id, req, now);
      if (r.lease) apply({ granted: [{ lease: r.lease }], revoked: [] }, now);
      apply(r.effects, now);
    };
    for (let i = 0; i < 300; i++) arrive(`t${i}`, task({ waitMs: 1e9 }), 0);
    let now = 0;
    const step = (ms: number, realtime: boolean) => {
      for (const end = now + ms; now < end; now += 50) {
        for (const [id, call] of running) {
          if (call.until > now) continue;
          running.delete(id);
          apply(p.release(id, { status: 200, latencyMs: call.latencyMs }, now), now);
        }
        if (realtime && now % 200 === 0) arrive(`r${now}`, rt({ waitMs: 5_000 }), now);
        apply(p.tick(now), now);
      }
    };
    step(3_000, true); // realtime at its baseline latency
    realtimeMs = 800;
    step(15_000, true); // a burst: realtime latency rises, the task limit is cut again and again
    expect(p.status(now).taskLimit).toBeLessThanOrEqual(2);
    step(8_000, false); // realtime stops
    // Eight seconds on, the old latency no longer holds tasks back: they fill every slot.
    const s = p.status(now);
    expect(s.taskLimit).toBe(8);
    expect(s.taskInFlight).toBe(8);
    expect(s.latency.realtimeRecentMs!).toBeLessThanOrEqual(s.latency.realtimeBaselineMs! * 1.05);
  });

  it("treats an exhausted x-ratelimit-remaining header like a 429", () => {
    const p = policy({ maxConcurrency: 8 });
    p.release(grant(p, "t", task(), 0).id, { status: 200, latencyMs: 5, remainingRequests: 0 }, 0);
    expect(p.status(0).taskLimit).toBe(4);
  });
});

describe("token buckets", () => {
  it("holds realtime to the RPM and answers rate_limited with the refill time", () => {
    const p = policy({ maxConcurrency: 100, rpm: 2 });
    grant(p, "a", rt({ waitMs: 0 }));
    grant(p, "b", rt({ waitMs: 0 }));
    const r = p.acquire("c", rt({ waitMs: 0 }), 0);
    expect(r.rejection).toEqual({ waiterId: "c", reason: "rate_limited", retryAfterMs: 30_000 });
  });

  it("wakes for a refill only when a waiter is held back by a bucket, not by slots", () => {
    const p = policy({ maxConcurrency: 1, rpm: 600 });
    grant(p, "a", rt());
    p.acquire("t", task({ waitMs: 60_000 }), 0);
    expect(p.nextWakeAt(0)).toBe(TTL); // only the lease's expiry; the bucket has tokens
    const q = policy({ maxConcurrency: 10, rpm: 1 });
    q.release(grant(q, "a", rt()).id, ok, 0);
    q.acquire("b", rt({ waitMs: 120_000 }), 0);
    expect(q.nextWakeAt(0)).toBe(60_000);
  });

  it("charges estimated tokens to TPM and refunds what was not used", () => {
    const p = policy({ maxConcurrency: 100, tpm: 1000 });
    const a = grant(p, "a", rt({ tokens: 900 }));
    expect(p.acquire("b", rt({ tokens: 200, waitMs: 0 }), 0).decision).toBe("rejected");
    p.release(a.id, { ...ok, tokens: 100 }, 0);
    expect(p.acquire("c", rt({ tokens: 200, waitMs: 0 }), 0).decision).toBe("granted");
  });

  it("keeps part of the RPM away from tasks while realtime is active", () => {
    const p = policy({ maxConcurrency: 100, rpm: 60 });
    let now = 0;
    for (let i = 0; i < 20; i++, now += 100) p.release(grant(p, `r${i}`, rt({ waitMs: 0 }), now).id, ok, now);
    for (let i = 0; i < 60; i++) p.acquire(`t${i}`, task(), now);
    const s = p.status(now);
    expect(s.taskInFlight).toBeLessThan(40);
    expect(p.acquire("late", rt({ waitMs: 0 }), now).decision).toBe("granted");
  });
});

describe("task order", () => {
  function drain(p: GovernorPolicy, first: Lease, now: number): string[] {
    const order: string[] = [];
    let lease: Lease | undefined = first;
    while (lease) {
      const g: { waiterId: string; lease: Lease } | undefined = p.release(lease.id, ok, now).granted[0];
      if (g) order.push(g.waiterId);
      lease = g?.lease;
    }
    return order;
  }

  it("admits the earliest deadline first", () => {
    const p = policy({ maxConcurrency: 1 });
    const blocker = grant(p, "blocker", task({ deadline: 1 }), 0);
    p.acquire("late", task({ deadline: 90_000_000 }), 0);
    p.acquire("soon", task({ deadline: 60_000_000 }), 0);
    p.acquire("none", task(), 0);
    expect(drain(p, blocker, 1)).toEqual(["soon", "none", "late"]);
  });

  it("shares between tenants: a tenant with running leases waits behind one with none", () => {
    const p = policy({ maxConcurrency: 3 });
    grant(p, "a1", task({ tenant: "a" }), 0);
    const a2 = grant(p, "a2", task({ tenant: "a" }), 0);
    grant(p, "x", rt(), 0);
    p.acquire("a3", task({ tenant: "a", deadline: 3_600_000 }), 0);
    // b's deadline is 30 s later than a's, but a is being served and b is not.
    p.acquire("b1", task({ tenant: "b", deadline: 3_600_000 + 30_000 }), 0);
    expect(p.release(a2.id, ok, 1).granted.map((g) => g.waiterId)).toEqual(["b1"]);
  });

  it("takes turns between tenants even at a task limit of one", () => {
    const p = policy({ maxConcurrency: 1 });
    const blocker = grant(p, "blocker", task({ tenant: "a" }), 0);
    // Tenant a queued six tasks first, tenant b two just after, all with the default deadline.
    for (let i = 1; i <= 6; i++) p.acquire(`a${i}`, task({ tenant: "a", waitMs: 1e9 }), i);
    for (let i = 1; i <= 2; i++) p.acquire(`b${i}`, task({ tenant: "b", waitMs: 1e9 }), 10 + i);
    const order = drain(p, blocker, 100);
    expect(order).toHaveLength(8);
    // b's two tasks do not wait behind all of a's: they alternate with a's while both wait.
    expect(order.slice(0, 4).filter((id) => id.startsWith("b"))).toHaveLength(2);
    expect(order.indexOf("b1")).toBeLessThan(order.indexOf("a2"));
  });

  it("does not make a tenant wait behind another's whole backlog, whenever each submitted", () => {
    const p = policy({ maxConcurrency: 1 });
    const blocker = grant(p, "blocker", task({ tenant: "a" }), 0);
    for (let i = 0; i < 100; i++) p.acquire(`a${i}`, task({ tenant: "a", waitMs: 1e9 }), i);
    // b comes ten minutes later, with a deadline ten minutes later than a's.
    p.acquire("b0", task({ tenant: "b", waitMs: 1e9 }), 600_000);
    const order = drain(p, blocker, 600_000);
    expect(order.indexOf("b0")).toBeLessThanOrEqual(1);
  });

  it("runs a task close to its deadline first, even for a tenant being served more", () => {
    const p = policy({ maxConcurrency: 2 });
    grant(p, "a-running", task({ tenant: "a" }), 0);
    const blocker = grant(p, "blocker", task({ tenant: "a" }), 0);
    p.acquire("b-relaxed", task({ tenant: "b", deadline: 20 * 3_600_000, waitMs: 1e9 }), 0);
    p.acquire("a-urgent", task({ tenant: "a", deadline: 5 * 60_000, waitMs: 1e9 }), 0);
    expect(p.release(blocker.id, ok, 1).granted.map((g) => g.waiterId)).toEqual(["a-urgent"]);
  });

  it("expires a waiting task whose deadline passes, and refuses one already past", () => {
    const p = policy({ maxConcurrency: 1 });
    grant(p, "busy", rt({ waitMs: 0 }));
    p.acquire("t", task({ deadline: 500, waitMs: 10_000 }), 0);
    expect(p.tick(500).rejected).toEqual([{ waiterId: "t", reason: "expired", retryAfterMs: 0 }]);
    expect(p.acquire("u", task({ deadline: 400 }), 500).rejection?.reason).toBe("expired");
  });
});

describe("realtime signals", () => {
  it("stop holding tasks back once realtime traffic has stopped, however large the latency jump was", () => {
    const d = emptyDemand();
    let now = 0;
    for (let i = 0; i < 10; i++, now += 100) recordLatency(d, 30, now);
    for (let i = 0; i < 10; i++, now += 100) recordLatency(d, 2_000, now);
    expect(latencyRising(d, now, 0)).toBe(true);
    // A long realtime call still in flight keeps the signal: its latency is only known when it ends.
    expect(latencyRising(d, now + 3_500, 1)).toBe(true);
    // Nothing in flight and no sample for three seconds: no realtime traffic to protect.
    expect(latencyRising(d, now + 3_000, 0)).toBe(false);
  });
});
