// bench/revisions: the same chat requests through the gateway as it is in this checkout and as it
// was at another git revision, both under `wrangler dev` at once, alternating blocks in one run.
// Prints each side's p50/p99, throughput and CPU per call, and the ratios this/base, at concurrency 1 and 8.
// Run: npm run bench:revisions -- --base HEAD~3 [--requests 200 --rounds 4]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { closedLoop, median, percentile, table } from "./stats.ts";
import * as current from "../scripts/dev-stack.ts";

const { values } = parseArgs({ options: { base: { type: "string", default: "HEAD" }, requests: { type: "string", default: "200" }, rounds: { type: "string", default: "4" }, "ttft-ms": { type: "string", default: "20" } } });
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);
const TTFT = Number(values["ttft-ms"]);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");

// The base revision in a worktree of its own, sharing this checkout's installed packages.
const tree = mkdtempSync(join(tmpdir(), "gateway-base-"));
execFileSync("git", ["worktree", "add", "--detach", "--force", tree, values.base!], { cwd: root, stdio: "ignore" });
symlinkSync(join(root, "node_modules"), join(tree, "node_modules"));
const revision = execFileSync("git", ["rev-parse", "--short", values.base!], { cwd: root }).toString().trim();
const base = (await import(join(tree, "scripts", "dev-stack.ts"))) as typeof current;

const options = { sim: { ttftMs: TTFT, tokensPerSecond: 10_000, outputTokens: 8 }, limits: { max_concurrency: 64 } };
const baseStack = await base.startStack(options);
const thisStack = await current.startStack(options).catch(async (error: unknown) => {
  await baseStack.stop();
  throw error;
});
const stacks = { base: baseStack, this: thisStack };
const keys = { base: await base.stackKey(stacks.base, "bench"), this: await current.stackKey(stacks.this, "bench") };
const body = JSON.stringify({ model: "sim-small", messages: [{ role: "user", content: "benchmark" }], max_tokens: 8 });

async function post(side: keyof typeof stacks): Promise<void> {
  const res = await fetch(`${stacks[side].url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${keys[side]}`, "content-type": "application/json" }, body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${side}: status ${res.status}`);
}

try {
  // Warm both (isolate start, D1 first query, Durable Object creation).
  for (const side of ["base", "this"] as const) await closedLoop(50, 4, () => post(side));
  const rows: (string | number)[][] = [["concurrency", "gateway", "p50 ms", "p99 ms", "req/s", "CPU ms/call"]];
  const summary: (string | number)[][] = [["concurrency", "p50 this/base", "p99 this/base", "req/s this/base", "CPU/call this/base"]];
  // CPU of each side's `wrangler dev` per call (Linux; a base from before this measure has none).
  const cpuOf = (side: keyof typeof stacks) => (stacks[side] as Partial<current.Stack>).cpuMs?.();
  for (const concurrency of [1, 8]) {
    const samples = { base: { lat: [] as number[], rps: [] as number[], cpu: [] as number[] }, this: { lat: [] as number[], rps: [] as number[], cpu: [] as number[] } };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order each round so drift on a noisy machine hits both alike.
      for (const side of round % 2 === 0 ? (["base", "this"] as const) : (["this", "base"] as const)) {
        const cpuBefore = cpuOf(side);
        const { latencies, wallMs } = await closedLoop(REQUESTS, concurrency, () => post(side));
        const cpuAfter = cpuOf(side);
        if (cpuBefore !== undefined && cpuAfter !== undefined) samples[side].cpu.push((cpuAfter - cpuBefore) / REQUESTS);
        samples[side].lat.push(...latencies);
        samples[side].rps.push((REQUESTS / wallMs) * 1000);
      }
    }
    const cpu = (side: keyof typeof stacks) => (samples[side].cpu.length ? median(samples[side].cpu) : NaN);
    for (const side of ["base", "this"] as const) rows.push([concurrency, side === "base" ? `base ${revision}` : "this checkout", percentile(samples[side].lat, 50), percentile(samples[side].lat, 99), median(samples[side].rps), Number.isNaN(cpu(side)) ? "n/a" : cpu(side)]);
    summary.push([concurrency, percentile(samples.this.lat, 50) / percentile(samples.base.lat, 50), percentile(samples.this.lat, 99) / percentile(samples.base.lat, 99), median(samples.this.rps) / median(samples.base.rps), Number.isNaN(cpu("this") / cpu("base")) ? "n/a" : cpu("this") / cpu("base")]);
  }
  console.log(`bench/revisions: ${REQUESTS} requests × ${ROUNDS} rounds per gateway and concurrency; simulator ttft ${TTFT} ms, 8 tokens`);
  console.log(table(rows));
  console.log();
  console.log(table(summary));
} finally {
  await Promise.all([stacks.base.stop(), stacks.this.stop()]);
  execFileSync("git", ["worktree", "remove", "--force", tree], { cwd: root, stdio: "ignore" });
  rmSync(tree, { recursive: true, force: true });
}
