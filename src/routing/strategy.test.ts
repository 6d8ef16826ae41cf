import { describe, expect, it } from "vitest";
import { STRATEGIES, orderCandidates, type Candidate, type CandidateView } from "./strategy.ts";

/** mulberry32: a small seeded generator, so statistical tests are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const c = (id: string, priority = 0, weight = 1): Candidate => ({ id, priority, weight });
const ids = (list: Candidate[]) => list.map((x) => x.id);
const none = () => undefined;
const views =
  (table: Record<string, Partial<CandidateView>>) =>
  (id: string): CandidateView | undefined =>
    table[id] ? { inFlight: 0, maxConcurrency: 10, ttftMs: null, open: false, ...table[id] } : undefined;

describe("tiers", () => {
  it("always tries a lower priority number first, whatever the strategy", () => {
    const list = [c("late", 2), c("b", 1), c("first", 0), c("a", 1)];
    for (const strategy of STRATEGIES) {
      for (let seed = 1; seed <= 20; seed++) {
        const order = ids(orderCandidates(list, strategy, none, seeded(seed)));
        expect(order[0]).toBe("first");
        expect(order.slice(1, 3).sort()).toEqual(["a", "b"]);
        expect(order[3]).toBe("late");
      }
    }
  });

  it("does not change the input array", () => {
    const list = [c("b", 1), c("a", 0, 0), c("c", 0, 5)];
    const copy = structuredClone(list);
    for (const strategy of STRATEGIES) orderCandidates(list, strategy, views({ c: { open: true } }), seeded(3));
    expect(list).toEqual(copy);
  });
});

describe("priority", () => {
  it("keeps declared order inside a tier", () => {
    const list = [c("x"), c("y"), c("z")];
    for (let seed = 1; seed <= 10; seed++) expect(ids(orderCandidates(list, "priority", none, seeded(seed)))).toEqual(["x", "y", "z"]);
  });
});

describe("weighted", () => {
  it("puts a 3:1 deployment first about three times in four", () => {
    const list = [c("heavy", 0, 3), c("light", 0, 1)];
    const random = seeded(42);
    let heavyFirst = 0;
    const draws = 4000;
    for (let i = 0; i < draws; i++) if (orderCandidates(list, "weighted", none, random)[0]!.id === "heavy") heavyFirst++;
    expect(heavyFirst / draws).toBeGreaterThan(0.7);
    expect(heavyFirst / draws).toBeLessThan(0.8);
  });

  it("samples without replacement: second place follows the remaining weights", () => {
    const list = [c("a", 0, 2), c("b", 0, 1), c("c", 0, 1)];
    const random = seeded(7);
    let bSecondWhenAFirst = 0;
    let aFirst = 0;
    for (let i = 0; i < 4000; i++) {
      const order = ids(orderCandidates(list, "weighted", none, random));
      expect(order.slice().sort()).toEqual(["a", "b", "c"]);
      if (order[0] === "a") {
        aFirst++;
        if (order[1] === "b") bSecondWhenAFirst++;
      }
    }
    expect(aFirst / 4000).toBeCloseTo(0.5, 1);
    expect(bSecondWhenAFirst / aFirst).toBeCloseTo(0.5, 1);
  });

  it("puts weight 0 last, only when nothing else", () => {
    const list = [c("spare", 0, 0), c("a", 0, 1), c("b", 0, 0.01)];
    for (let seed = 1; seed <= 50; seed++) expect(ids(orderCandidates(list, "weighted", none, seeded(seed)))[2]).toBe("spare");
  });
});

describe("least-busy", () => {
  it("orders by share of slots in use; an unknown deployment counts as idle", () => {
    const list = [c("half"), c("tenth"), c("unknown"), c("most")];
    const view = views({ half: { inFlight: 5 }, tenth: { inFlight: 2, maxConcurrency: 20 }, most: { inFlight: 9 } });
    expect(ids(orderCandidates(list, "least-busy", view, seeded(1)))).toEqual(["unknown", "tenth", "half", "most"]);
  });

  it("breaks ties at random", () => {
    const list = [c("a"), c("b")];
    const view = views({ a: { inFlight: 1 }, b: { inFlight: 1 } });
    const firsts = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) firsts.add(orderCandidates(list, "least-busy", view, seeded(seed))[0]!.id);
    expect(firsts).toEqual(new Set(["a", "b"]));
  });
});

describe("latency", () => {
  it("orders by time to first token, unmeasured first so it gets measured", () => {
    const list = [c("slow"), c("fast"), c("unmeasured"), c("mid")];
    const view = views({ slow: { ttftMs: 900 }, fast: { ttftMs: 120 }, unmeasured: { ttftMs: null }, mid: { ttftMs: 400 } });
    expect(ids(orderCandidates(list, "latency", view, seeded(1)))).toEqual(["unmeasured", "fast", "mid", "slow"]);
  });

  it("breaks ties at random", () => {
    const list = [c("a"), c("b")];
    const firsts = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) firsts.add(orderCandidates(list, "latency", none, seeded(seed))[0]!.id);
    expect(firsts).toEqual(new Set(["a", "b"]));
  });
});

describe("full and open deployments", () => {
  it("moves a full deployment after those with room in its tier, not past the next tier", () => {
    const list = [c("full"), c("room"), c("also-full"), c("next", 1)];
    const view = views({ full: { inFlight: 10 }, "also-full": { inFlight: 12 }, room: { inFlight: 3 } });
    expect(ids(orderCandidates(list, "priority", view, seeded(1)))).toEqual(["room", "full", "also-full", "next"]);
  });

  it("moves an open breaker to the very end of the whole list, after later tiers", () => {
    const list = [c("broken"), c("ok"), c("broken-too"), c("fallback", 5)];
    const view = views({ broken: { open: true }, "broken-too": { open: true, inFlight: 0 } });
    for (const strategy of STRATEGIES) {
      const order = ids(orderCandidates(list, strategy, view, seeded(9)));
      expect(order.slice(0, 2)).toEqual(["ok", "fallback"]);
      expect(order.slice(2).sort()).toEqual(["broken", "broken-too"]);
    }
    expect(ids(orderCandidates(list, "priority", view, seeded(9)))).toEqual(["ok", "fallback", "broken", "broken-too"]);
  });

  it("beats the strategy: the least busy deployment goes last when its breaker is open", () => {
    const list = [c("idle-but-open"), c("busy")];
    const view = views({ "idle-but-open": { open: true }, busy: { inFlight: 8 } });
    expect(ids(orderCandidates(list, "least-busy", view, seeded(1)))).toEqual(["busy", "idle-but-open"]);
  });
});
