// bench/overhead: the same chat requests sent straight to the simulator and through the gateway
// (wrangler dev), alternating rounds in one run. Prints p50/p99 added latency and the throughput
// ratio at concurrency 1 and 8.  Run: npm run bench:overhead [-- --requests 400 --rounds 3]
import { parseArgs } from "node:util";
import { closedLoop, median, percentile, table } from "./stats.ts";
import { startStack, stackKey } from "../scripts/dev-stack.ts";

const { values } = parseArgs({ options: { requests: { type: "string", default: "300" }, rounds: { type: "string", default: "3" }, "ttft-ms": { type: "string", default: "20" } } });
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);
const TTFT = Number(values["ttft-ms"]);

const stack = await startStack({ sim: { ttftMs: TTFT, tokensPerSecond: 10_000, outputTokens: 8 }, limits: { max_concurrency: 64 } });
const key = await stackKey(stack, "bench");
const body = JSON.stringify({ model: "sim-small", messages: [{ role: "user", content: "benchmark" }], max_tokens: 8 });

async function post(url: string, auth: string): Promise<void> {
  const res = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${auth}`, "content-type": "application/json" }, body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`status ${res.status}`);
}

const targets = { direct: { url: stack.sim.url, auth: "sk-sim-stack" }, gateway: { url: stack.url, auth: key } } as const;

try {
  // Warm both paths (isolate start, D1 first query, Durable Object creation).
  for (const t of Object.values(targets)) await closedLoop(50, 4, () => post(t.url, t.auth));
  const rows: (string | number)[][] = [["concurrency", "path", "p50 ms", "p99 ms", "req/s"]];
  const summary: (string | number)[][] = [["concurrency", "added p50 ms", "added p99 ms", "throughput gateway/direct"]];
  for (const concurrency of [1, 8]) {
    const samples = { direct: { lat: [] as number[], rps: [] as number[] }, gateway: { lat: [] as number[], rps: [] as number[] } };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order each round so drift on a noisy machine hits both paths alike.
      const order = round % 2 === 0 ? (["direct", "gateway"] as const) : (["gateway", "direct"] as const);
      for (const name of order) {
        const t = targets[name];
        const { latencies, wallMs } = await closedLoop(REQUESTS, concurrency, () => post(t.url, t.auth));
        samples[name].lat.push(...latencies);
        samples[name].rps.push((REQUESTS / wallMs) * 1000);
      }
    }
    for (const name of ["direct", "gateway"] as const) {
      rows.push([concurrency, name, percentile(samples[name].lat, 50), percentile(samples[name].lat, 99), median(samples[name].rps)]);
    }
    summary.push([
      concurrency,
      percentile(samples.gateway.lat, 50) - percentile(samples.direct.lat, 50),
      percentile(samples.gateway.lat, 99) - percentile(samples.direct.lat, 99),
      median(samples.gateway.rps) / median(samples.direct.rps),
    ]);
  }
  console.log(`bench/overhead: ${REQUESTS} requests × ${ROUNDS} rounds per path and concurrency; simulator ttft ${TTFT} ms, 8 tokens`);
  console.log(table(rows));
  console.log();
  console.log(table(summary));
} finally {
  await stack.stop();
}
