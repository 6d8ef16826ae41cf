// bench/failover: what a failing deployment costs the calls of its model, through wrangler dev.
// One model, two deployments (one provider, two keys); the simulator fails the first key.
//  1. Latency added by a failover: calls while the first key answers 500 (breaker off, so every
//     call fails over) against calls while it is healthy, alternating blocks in one run.
//  2. With the breaker on (calls one after another, so none is in flight when it opens): calls
//     lost (must be 0), and calls the failing key still receives once the breaker is open (only
//     the half-open probes: one per cooldown of 1 s, 2 s, 4 s… as each probe fails).
//  3. A hanging key (upstream timeout 1 s): how many calls wait for the timeout before the
//     breaker opens, and the latency after.
// Run: npm run bench:failover [-- --requests 200 --rounds 3]
import { parseArgs } from "node:util";
import { closedLoop, median, percentile, table } from "./stats.ts";
import { startStack, stackKey } from "../scripts/dev-stack.ts";

const { values } = parseArgs({ options: { requests: { type: "string", default: "200" }, rounds: { type: "string", default: "3" } } });
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = 4;
const KEY_A = "sk-bench-keyAAAAA";
const KEY_B = "sk-bench-keyBBBBB";
const label = (k: string) => `…${k.slice(-6)}`;

const pairOf = (sim: string, name: string, breaker: Record<string, unknown>) => ({
  name,
  type: "openai-compatible",
  base_url: `${sim}/v1`,
  keys: [{ name: "a", api_key: KEY_A }, { name: "b", api_key: KEY_B }],
  limits: { max_concurrency: 16 },
  breaker,
  // Each provider its own upstream model: deployments on the same key and model would share a governor.
  models: [{ name: `${name}-model`, upstream_model: `${name}-upstream` }],
});

const stack = await startStack({
  sim: { maxConcurrency: 64, ttftMs: 20, tokensPerSecond: 10_000, outputTokens: 8, apiKeys: [KEY_A, KEY_B] },
  vars: { UPSTREAM_TIMEOUT_MS: "1000" },
  providers: (sim) => [pairOf(sim, "nobreaker", { enabled: false }), pairOf(sim, "breaker", { cooldown_ms: 1000 }), pairOf(sim, "hang", { cooldown_ms: 10_000 })],
});
const key = await stackKey(stack, "bench");

interface Sample {
  ms: number;
  status: number;
  attempts: number;
}

async function call(model: string): Promise<Sample> {
  const started = performance.now();
  const res = await fetch(`${stack.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ model, messages: [{ role: "user", content: "bench" }], max_tokens: 8 }) });
  await res.arrayBuffer();
  return { ms: performance.now() - started, status: res.status, attempts: Number(res.headers.get("x-gateway-attempts") ?? 0) };
}

async function block(model: string, n: number, concurrency = CONCURRENCY): Promise<Sample[]> {
  const out: Sample[] = [];
  await closedLoop(n, concurrency, async () => void out.push(await call(model)));
  return out;
}

const byKey = () => stack.sim.stats().byKey as Record<string, { requests: number }>;
const requestsTo = (k: string) => byKey()[label(k)]?.requests ?? 0;

try {
  // Warm every deployment (isolates, D1, governors).
  for (const m of ["nobreaker-model", "breaker-model", "hang-model"]) await block(m, 20);

  // 1. Latency added by one failover.
  const healthy: Sample[] = [];
  const failing: Sample[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const phase of round % 2 === 0 ? (["healthy", "failing"] as const) : (["failing", "healthy"] as const)) {
      stack.sim.configure({ keyFaults: phase === "failing" ? { [KEY_A]: "500" } : {} });
      (phase === "healthy" ? healthy : failing).push(...(await block("nobreaker-model", REQUESTS)));
    }
  }
  stack.sim.configure({ keyFaults: {} });
  const rows: (string | number)[][] = [["first key", "calls", "non-200", "attempts p50", "p50 ms", "p99 ms"]];
  for (const [name, s] of [["healthy", healthy], ["answers 500", failing]] as const) {
    rows.push([name, s.length, s.filter((x) => x.status !== 200).length, median(s.map((x) => x.attempts)), percentile(s.map((x) => x.ms), 50), percentile(s.map((x) => x.ms), 99)]);
  }

  // 2. Breaker on: lost calls and what the failing key still gets once open.
  stack.sim.configure({ keyFaults: { [KEY_A]: "500" } });
  const toA = requestsTo(KEY_A);
  const startedAt = performance.now();
  const withBreaker = await block("breaker-model", REQUESTS * ROUNDS, 1);
  const seconds = (performance.now() - startedAt) / 1000;
  // Probes the cooldown schedule allows in that time: after 1 s, then 2 s, 4 s… (each probe fails).
  let scheduled = 0;
  for (let t = 1, cooldown = 1; t <= seconds; cooldown *= 2, t += cooldown) scheduled++;
  const sentToA = requestsTo(KEY_A) - toA;
  stack.sim.configure({ keyFaults: {} });

  // 3. A hanging key: calls that waited for the 1 s timeout, and latency once the breaker is open.
  stack.sim.configure({ keyFaults: { [KEY_A]: "hang" } });
  const hang = await block("hang-model", 100);
  stack.sim.configure({ keyFaults: {} });
  const waited = hang.filter((s) => s.attempts === 2);
  const after = hang.slice(-50);

  console.log(`bench/failover: one model on two deployments (two keys); ${REQUESTS} calls × ${ROUNDS} rounds per phase, concurrency ${CONCURRENCY}; simulator ttft 20 ms`);
  console.log(table(rows));
  console.log();
  console.log(table([
    ["", "value"],
    ["added by a failover, p50 ms", percentile(failing.map((x) => x.ms), 50) - percentile(healthy.map((x) => x.ms), 50)],
    ["added by a failover, p99 ms", percentile(failing.map((x) => x.ms), 99) - percentile(healthy.map((x) => x.ms), 99)],
    [`breaker on (cooldown 1 s), one call at a time: calls over ${seconds.toFixed(1)} s`, withBreaker.length],
    ["  lost (non-200)", withBreaker.filter((x) => x.status !== 200).length],
    ["  sent to the failing key", sentToA],
    ["  of which after it opened (5 failures open it)", Math.max(0, sentToA - 5)],
    ["  probes the cooldown schedule allows in that time", scheduled],
    ["  calls that failed over", withBreaker.filter((x) => x.attempts === 2).length],
    ["hanging key (timeout 1 s): calls that waited for it", waited.length],
    ["  lost (non-200)", hang.filter((x) => x.status !== 200).length],
    ["  p50 ms of the last 50 calls (breaker open)", percentile(after.map((x) => x.ms), 50)],
  ]));
} finally {
  await stack.stop();
}
