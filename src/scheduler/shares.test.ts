import { describe, expect, it } from "vitest";
import { GovernorPolicy, type AcquireRequest, type PolicyLimits } from "./policy.ts";
import { LocalShare, shareSize, SHARES, type ShareReport } from "./shares.ts";

function policy(limits: PolicyLimits = { maxConcurrency: 8 }, now = 0) {
  let n = 0;
  return new GovernorPolicy(limits, { leaseTtlMs: 10_000, newId: () => `L${++n}` }, now);
}
const rt = (extra: Partial<AcquireRequest> = {}): AcquireRequest => ({ lane: "realtime", tenant: "t", tokens: 10, waitMs: 0, ...extra });
const task = (extra: Partial<AcquireRequest> = {}): AcquireRequest => ({ lane: "task", tenant: "t", tokens: 10, waitMs: 0, ...extra });
const ok = { status: 200, latencyMs: 50 };

/** An isolate that made `calls` realtime calls through the governor just now, and asks. */
function steadyShare(now: number, calls = SHARES.steadyCalls): LocalShare {
  const share = new LocalShare();
  for (let i = 0; i < calls; i++) share.noteViaGovernor(now);
  return share;
}

describe("shareSize", () => {
  const base = { maxConcurrency: 16, occupiedByOthers: 0, anyoneWaiting: false, rateLimited: false, breakerClosed: true, want: 3 };
  it("gives what is wanted while headroom is large, at most a quarter of the capacity", () => {
    expect(shareSize(base)).toBe(3);
    expect(shareSize({ ...base, want: 50 })).toBe(4);
  });
  it("keeps a quarter of the capacity free after the grant", () => {
    expect(shareSize({ ...base, occupiedByOthers: 10 })).toBe(2);
    expect(shareSize({ ...base, occupiedByOthers: 12 })).toBe(0);
  });
  it("gives nothing while anyone waits, under request or token rates, or with the breaker not closed", () => {
    expect(shareSize({ ...base, anyoneWaiting: true })).toBe(0);
    expect(shareSize({ ...base, rateLimited: true })).toBe(0);
    expect(shareSize({ ...base, breakerClosed: false })).toBe(0);
  });
});

describe("capacity shares", () => {
  it("an isolate with steady traffic gets a share, admits into it without the governor, and the governor counts it in flight", () => {
    const p = policy();
    const share = steadyShare(0);
    expect(share.shouldReport(0)).toBe(true);
    const report = share.report(0, 8);
    const { grant } = p.share("iso-1", report, 0);
    share.settle(grant, report);
    expect(grant.slots).toBe(2);
    expect(p.status(0)).toMatchObject({ realtimeInFlight: 2, shares: { holders: 1, slots: 2 } });
    expect(share.tryTake(10, 8)).toBe(true);
    expect(share.tryTake(10, 8)).toBe(true);
    expect(share.tryTake(10, 8)).toBe(false);
    // The rest of the capacity is still the governor's to give.
    for (let i = 0; i < 6; i++) expect(p.acquire(`r${i}`, rt(), 10).decision).toBe("granted");
    expect(p.acquire("r7", rt(), 10).decision).toBe("rejected");
  });

  it("shrinks to what is in use once tasks want the room, and gives the rest back as calls end", () => {
    const p = policy();
    const share = steadyShare(0);
    let report = share.report(0, 8);
    share.settle(p.share("iso-1", report, 0).grant, report);
    expect(share.tryTake(1, 8)).toBe(true);
    // A task flood fills the rest and waits for more.
    for (let i = 0; i < 6; i++) p.acquire(`t${i}`, task(), 1);
    expect(p.acquire("t-wait", task({ waitMs: 5000 }), 1).decision).toBe("waiting");
    report = share.report(1000, 8);
    expect(report.inUse).toBe(1);
    const shrunk = p.share("iso-1", report, 1000);
    share.settle(shrunk.grant, report);
    expect(shrunk.grant.slots).toBe(0);
    // One slot stays counted for the call in flight; the freed one went to the waiting task.
    expect(p.status(1000).shares).toEqual({ holders: 1, slots: 1 });
    expect(shrunk.effects.granted.map((g) => g.waiterId)).toEqual(["t-wait"]);
    expect(share.tryTake(1001, 8)).toBe(false);
    share.give(ok, 0);
    expect(share.shouldReport(1002)).toBe(true);
    report = share.report(1002, 8);
    share.settle(p.share("iso-1", report, 1002).grant, report);
    expect(p.status(1002).shares).toEqual({ holders: 0, slots: 0 });
  });

  it("a failure ends local admission until the governor has heard of it; the breaker counts reported failures", () => {
    const p = policy({ maxConcurrency: 8, breaker: { failures: 2 } });
    const share = steadyShare(0);
    let report = share.report(0, 8);
    share.settle(p.share("iso-1", report, 0).grant, report);
    expect(share.tryTake(1, 8)).toBe(true);
    expect(share.tryTake(1, 8)).toBe(true);
    share.give({ status: 500, latencyMs: 10 }, 0);
    expect(share.tryTake(2, 8)).toBe(false);
    share.give({ status: 502, latencyMs: 10 }, 0);
    expect(share.shouldReport(3)).toBe(true);
    report = share.report(3, 8);
    const answer = p.share("iso-1", report, 3);
    share.settle(answer.grant, report);
    expect(p.status(3).breaker.phase).toBe("open");
    expect(answer.grant.slots).toBe(0);
    expect(share.tryTake(4, 8)).toBe(false);
  });

  it("a share its isolate stops renewing expires, and its slots return", () => {
    const p = policy();
    const share = steadyShare(0);
    const report = share.report(0, 8);
    share.settle(p.share("iso-1", report, 0).grant, report);
    p.tick(SHARES.ttlMs + 1);
    expect(p.status(SHARES.ttlMs + 1)).toMatchObject({ realtimeInFlight: 0, shares: { holders: 0, slots: 0 }, expiredLeases: 0 });
    // The isolate stopped using it before the governor dropped it.
    expect(share.tryTake(SHARES.ttlMs - SHARES.marginMs, 8)).toBe(false);
  });

  it("local calls count as realtime arrivals and their latency as realtime latency", () => {
    const p = policy();
    const share = steadyShare(0);
    let report = share.report(0, 8);
    share.settle(p.share("iso-1", report, 0).grant, report);
    for (let i = 0; i < 2; i++) share.tryTake(10, 8);
    share.give({ status: 200, latencyMs: 40 }, 0);
    share.give({ status: 200, latencyMs: 60 }, 0);
    report = share.report(900, 8);
    expect(report).toMatchObject({ arrivals: 2, outcomes: [{ latencyMs: 40 }, { latencyMs: 60 }] });
    p.share("iso-1", report, 900);
    expect(p.status(900).granted.realtime).toBe(2);
    expect(p.status(900).latency.realtimeRecentMs).not.toBeNull();
  });

  it("gives up on a renewal not answered in time, ignores its late answer, and asks again", () => {
    const p = policy();
    const share = steadyShare(0);
    const first = share.report(0, 8);
    share.settle(p.share("iso-1", first, 0).grant, first);
    expect(share.tryTake(800, 8)).toBe(true);
    const slow = share.report(800, 8);
    expect(share.tryTake(900, 8)).toBe(false);
    // No answer within a second: the renewal counts as failed, and nothing is admitted locally.
    expect(share.tryTake(800 + SHARES.answerWithinMs + 1, 8)).toBe(false);
    share.settle(p.share("iso-1", slow, 1900).grant, slow);
    expect(share.slots).toBe(0);
    expect(share.shouldReport(1901)).toBe(true);
  });

  it("a failure during a renewal keeps local admits stopped until it is reported", () => {
    const p = policy();
    const share = steadyShare(0);
    let report = share.report(0, 8);
    share.settle(p.share("iso-1", report, 0).grant, report);
    share.tryTake(10, 8);
    share.tryTake(10, 8);
    report = share.report(800, 8);
    share.give({ status: 500, latencyMs: 5 }, 810);
    share.settle(p.share("iso-1", report, 820).grant, report);
    expect(share.tryTake(830, 8)).toBe(false);
    expect(share.shouldReport(830)).toBe(true);
  });

  it("stops admitting locally once the deployment's max_concurrency changes", () => {
    const p = policy();
    const share = steadyShare(0);
    const report = share.report(0, 8);
    share.settle(p.share("iso-1", report, 0).grant, report);
    expect(share.tryTake(10, 4)).toBe(false);
    expect(share.tryTake(10, 8)).toBe(true);
  });

  it("keeps slots of running calls as long as a lease, and gives none below a cap of 4", () => {
    const p = policy();
    const share = steadyShare(0);
    let report = share.report(0, 8);
    share.settle(p.share("iso-1", report, 0).grant, report);
    share.tryTake(10, 8);
    report = share.report(800, 8);
    share.settle(p.share("iso-1", report, 800).grant, report);
    p.tick(800 + SHARES.ttlMs + 1);
    expect(p.status(800 + SHARES.ttlMs + 1).shares.slots).toBeGreaterThanOrEqual(1);
    const small = policy({ maxConcurrency: 3 });
    const s2 = steadyShare(0);
    const r2 = s2.report(0, 3);
    expect(small.share("iso-2", r2, 0).grant.slots).toBe(0);
  });

  it("never has more calls in flight than max_concurrency, whatever the interleaving (randomised)", () => {
    // A small deterministic PRNG, so a failure can be replayed.
    let seed = 12345;
    let local = 0;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 25; run++) {
      const C = 2 + Math.floor(random() * 30);
      // Some runs without tasks (headroom large: shares), some with a few, some with a flood.
      const taskRate = [0, 0.02, 0.3][run % 3]!;
      const realtimeRate = 0.1 + random() * 0.7;
      const p = policy({ maxConcurrency: C });
      const isolates = Array.from({ length: 1 + Math.floor(random() * 4) }, () => ({ share: new LocalShare(), pending: undefined as { report: ShareReport; at: number; delay: number; lost: boolean } | undefined }));
      const leases: { id: string; until: number }[] = [];
      const localCalls: { iso: number; until: number }[] = [];
      let n = 0;
      const touched = new Set<number>();
      for (let now = 0; now < 10_000; now += 10) {
        touched.clear();
        // Governor answers mostly arrive within 200 ms; some take over a second (the isolate gives
        // up on them), and some reports never reach the governor at all.
        for (const [i, iso] of isolates.entries()) {
          if (iso.pending && now >= iso.pending.at + iso.pending.delay) {
            if (!iso.pending.lost) iso.share.settle(p.share(`iso-${i}`, iso.pending.report, now).grant, iso.pending.report);
            iso.pending = undefined;
          }
        }
        // Calls end.
        for (const l of leases.filter((l) => l.until <= now)) p.release(l.id, ok, now);
        leases.splice(0, leases.length, ...leases.filter((l) => l.until > now));
        for (const c of localCalls.filter((c) => c.until <= now)) {
          touched.add(c.iso);
          isolates[c.iso]!.share.give(random() < 0.02 ? { status: 500, latencyMs: 5 } : random() < 0.02 ? { status: 499, latencyMs: 5 } : ok, now, 25);
        }
        localCalls.splice(0, localCalls.length, ...localCalls.filter((c) => c.until > now));
        // New calls: realtime from any isolate (its share first, else the governor), and tasks.
        if (random() < realtimeRate) {
          const i = Math.floor(random() * isolates.length);
          const iso = isolates[i]!;
          touched.add(i);
          // Mostly short calls, some long streams.
          const length = random() < 0.05 ? 2000 + random() * 4000 : 20 + random() * 400;
          if (iso.share.tryTake(now, C)) (localCalls.push({ iso: i, until: now + length }), local++);
          else {
            const r = p.acquire(`r${++n}`, rt(), now);
            if (r.decision === "granted") {
              leases.push({ id: r.lease!.id, until: now + length });
              iso.share.noteViaGovernor(now);
            }
          }
        }
        if (random() < taskRate) {
          const r = p.acquire(`t${++n}`, task(), now);
          if (r.decision === "granted") leases.push({ id: r.lease!.id, until: now + 50 + random() * 800 });
        }
        // Reports go out when due (renewals while calls run, first asks, failures).
        // As in the Worker: checked when a call starts or ends there, and every 250 ms while calls run.
        for (const [i, iso] of isolates.entries()) {
          const checks = touched.has(i) || (now % 250 === 0 && iso.share.inUse > 0) || now % 1000 === 0;
          if (checks && !iso.pending && iso.share.shouldReport(now)) {
            const slow = random() < 0.03;
            iso.pending = { report: iso.share.report(now, C), at: now, delay: slow ? 1000 + random() * 500 : random() * 200, lost: random() < 0.03 };
          }
        }
        // Preempted task leases are released by their holders at once.
        for (const l of leases.filter((l) => p.leaseState(l.id) === "revoked")) p.release(l.id, { status: 499, latencyMs: 1 }, now);
        leases.splice(0, leases.length, ...leases.filter((l) => p.leaseState(l.id) === "held"));
        p.tick(now);
        const inFlight = leases.length + localCalls.length;
        expect(inFlight, `run ${run}, C ${C}, t ${now}`).toBeLessThanOrEqual(C);
        // Each isolate's calls in its share are within what the governor counts for it.
        if (now % 100 === 0) for (const [i, iso] of isolates.entries()) {
          const counted = p.snapshot().leases.find((l) => l.id === `share:iso-${i}`)?.slots ?? 0;
          expect(iso.share.inUse, `run ${run}, isolate ${i}, t ${now}`).toBeLessThanOrEqual(counted);
        }
      }
    }
    // Shares were in play: many calls were admitted locally.
    expect(local).toBeGreaterThan(200);
  });
});
