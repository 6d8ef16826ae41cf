/**
 * The order in which one call tries a model's deployments. Tiers by ascending priority always
 * apply: the caller walks the list, so a later tier is used only when every earlier one cannot
 * serve. Inside a tier the model's strategy orders; then deployments known to have no free slot
 * go after those with room (they would only queue), and deployments whose breaker is open go to
 * the very end of the whole list (they would only refuse).
 */

export type Strategy = "priority" | "weighted" | "least-busy" | "latency";

export const STRATEGIES: readonly Strategy[] = ["priority", "weighted", "least-busy", "latency"];

export interface Candidate {
  id: string;
  /** Lower goes first: a tier is tried only after every earlier one. */
  priority: number;
  /** Share within its tier under "weighted" (≥ 0; 0 = only when nothing else). */
  weight: number;
}

/** What this isolate last heard from a deployment's governor; undefined when it has heard nothing. */
export interface CandidateView {
  inFlight: number;
  maxConcurrency: number;
  ttftMs: number | null;
  open: boolean;
}

/**
 * A new list of `candidates` in the order to try them. `random` returns [0, 1) (Math.random, or a
 * seeded one in tests); the input is not changed.
 */
export function orderCandidates<C extends Candidate>(
  candidates: readonly C[],
  strategy: Strategy,
  viewOf: (id: string) => CandidateView | undefined,
  random: () => number,
): C[] {
  const views = new Map(candidates.map((c) => [c.id, viewOf(c.id)] as const));
  const view = (c: C) => views.get(c.id);
  const tiers = new Map<number, C[]>();
  for (const c of candidates) {
    const tier = tiers.get(c.priority);
    if (tier) tier.push(c);
    else tiers.set(c.priority, [c]);
  }
  const ordered: C[] = [];
  for (const priority of [...tiers.keys()].sort((a, b) => a - b)) {
    const tier = withinTier(tiers.get(priority)!, strategy, view, random);
    ordered.push(...tier.filter((c) => !isFull(view(c))), ...tier.filter((c) => isFull(view(c))));
  }
  return [...ordered.filter((c) => !view(c)?.open), ...ordered.filter((c) => view(c)?.open)];
}

function withinTier<C extends Candidate>(tier: C[], strategy: Strategy, view: (c: C) => CandidateView | undefined, random: () => number): C[] {
  switch (strategy) {
    case "priority":
      return tier;
    case "weighted":
      return weightedOrder(tier, random);
    case "least-busy":
      return sortWithRandomTies(tier, (c) => load(view(c)), random);
    case "latency":
      // Unknown latency first, so it gets measured.
      return sortWithRandomTies(tier, (c) => view(c)?.ttftMs ?? -1, random);
  }
}

/**
 * Weighted random order: sampling without replacement, each next pick with probability its weight
 * over the weights left (Efraimidis–Spirakis keys -ln(u)/w, ascending). Weight 0 goes last, in
 * declared order.
 */
function weightedOrder<C extends Candidate>(tier: C[], random: () => number): C[] {
  const keyed = tier.map((c) => {
    const w = Number.isFinite(c.weight) && c.weight > 0 ? c.weight : 0;
    return { c, key: w > 0 ? -Math.log(1 - random()) / w : Infinity };
  });
  return stableSort(keyed, (k) => k.key).map((k) => k.c);
}

/** Ascending by `score`, equal scores in random order. */
function sortWithRandomTies<C>(items: C[], score: (c: C) => number, random: () => number): C[] {
  const keyed = items.map((c) => ({ c, score: score(c), tie: random() }));
  keyed.sort((a, b) => a.score - b.score || a.tie - b.tie);
  return keyed.map((k) => k.c);
}

function stableSort<T>(items: T[], key: (t: T) => number): T[] {
  return items
    .map((t, i) => ({ t, i, k: key(t) }))
    .sort((a, b) => (a.k === b.k ? a.i - b.i : a.k < b.k ? -1 : 1))
    .map((x) => x.t);
}

/** Share of its slots in use; an unknown deployment counts as idle. */
function load(view: CandidateView | undefined): number {
  if (!view) return 0;
  if (view.maxConcurrency <= 0) return view.inFlight > 0 ? Infinity : 0;
  return view.inFlight / view.maxConcurrency;
}

/** Known to have no free slot now. */
function isFull(view: CandidateView | undefined): boolean {
  return view !== undefined && view.inFlight >= view.maxConcurrency;
}
