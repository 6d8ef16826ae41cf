// bench/overhead: the same chat requests sent straight to the simulator, through a bare
// passthrough Worker (bench/passthrough, a minimal Hono Worker under the same `wrangler dev`), and
// through the gateway, in alternating blocks in one run. Prints what each Worker adds to the direct
// call's latency (p50, p99), the gateway's added latency as a ratio to the passthrough's, and the
// requests/s ratio gateway ÷ passthrough, at concurrency 1 and 8, and each Worker's CPU per call.
// Run: npm run bench:overhead [-- --requests 300 --rounds 5 --ttft-ms 0]
import { parseArgs } from "node:util";
import { closedLoop, median, percentile, table } from "./stats.ts";
import { startPassthrough, startStack, stackKey } from "../scripts/dev-stack.ts";

const { values } = parseArgs({ options: { requests: { type: "string", default: "300" }, rounds: { type: "string", default: "5" }, "ttft-ms": { type: "string", default: "0" } } });
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);
const TTFT = Number(values["ttft-ms"]);
const SIM_KEY = "sk-sim-stack";

const stack = await startStack({ sim: { ttftMs: TTFT, tokensPerSecond: 100_000, outputTokens: 8 }, limits: { max_concurrency: 64 } });
const passthrough = await startPassthrough(`${stack.sim.url}/v1`, SIM_KEY).catch(async (error) => {
  await stack.stop();
  throw error;
});
const key = await stackKey(stack, "bench");
const body = JSON.stringify({ model: "sim-small", messages: [{ role: "user", content: "benchmark" }], max_tokens: 8 });

async function post(url: string, auth: string): Promise<void> {
  const res = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${auth}`, "content-type": "application/json" }, body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`status ${res.status}`);
}

const targets = {
  direct: { url: stack.sim.url, auth: SIM_KEY, cpuMs: () => undefined },
  passthrough: { url: passthrough.url, auth: SIM_KEY, cpuMs: passthrough.cpuMs },
  gateway: { url: stack.url, auth: key, cpuMs: stack.cpuMs },
} as const;
type Path = keyof typeof targets;
const paths = Object.keys(targets) as Path[];

try {
  // Warm every path (isolate start, D1 first query, Durable Object creation).
  for (const t of Object.values(targets)) await closedLoop(100, 4, () => post(t.url, t.auth));
  const rows: (string | number)[][] = [["concurrency", "path", "p50 ms", "p99 ms", "req/s"]];
  const summary: (string | number)[][] = [["concurrency", "passthrough adds p50", "gateway adds p50", "added p50 gateway ÷ passthrough", "added p99 gateway ÷ passthrough", "req/s gateway ÷ passthrough", "CPU ms/call passthrough", "CPU ms/call gateway"]];
  for (const concurrency of [1, 8]) {
    const lat = Object.fromEntries(paths.map((p) => [p, [] as number[]])) as Record<Path, number[]>;
    const rps = Object.fromEntries(paths.map((p) => [p, [] as number[]])) as Record<Path, number[]>;
    // CPU per call of each Worker's whole `wrangler dev` (its proxy and workerd), per block: steadier than latency on a shared machine.
    const cpu = Object.fromEntries(paths.map((p) => [p, [] as number[]])) as Record<Path, number[]>;
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round so drift on a noisy machine hits every path alike.
      const order = paths.map((_, i) => paths[(i + round) % paths.length]!);
      for (const name of order) {
        const t = targets[name];
        const cpuBefore = t.cpuMs();
        const { latencies, wallMs } = await closedLoop(REQUESTS, concurrency, () => post(t.url, t.auth));
        const cpuAfter = t.cpuMs();
        if (cpuBefore !== undefined && cpuAfter !== undefined) cpu[name].push((cpuAfter - cpuBefore) / REQUESTS);
        lat[name].push(...latencies);
        rps[name].push((REQUESTS / wallMs) * 1000);
      }
    }
    for (const name of paths) rows.push([concurrency, name, percentile(lat[name], 50), percentile(lat[name], 99), median(rps[name])]);
    const added = (name: Path, p: number) => percentile(lat[name], p) - percentile(lat.direct, p);
    summary.push([concurrency, added("passthrough", 50), added("gateway", 50), added("gateway", 50) / added("passthrough", 50), added("gateway", 99) / added("passthrough", 99), median(rps.gateway) / median(rps.passthrough), cpu.passthrough.length ? median(cpu.passthrough) : "n/a", cpu.gateway.length ? median(cpu.gateway) : "n/a"]);
  }
  console.log(`bench/overhead: ${REQUESTS} requests × ${ROUNDS} rounds per path and concurrency; simulator ttft ${TTFT} ms, 8 tokens`);
  console.log(table(rows));
  console.log();
  console.log(table(summary));
  console.log("CPU ms/call: user + system CPU of each Worker's whole `wrangler dev` process group (wrangler's proxy and workerd) per call, median over blocks (Linux only).");
} finally {
  await passthrough.stop();
  await stack.stop();
}
