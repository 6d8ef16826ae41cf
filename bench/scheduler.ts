// bench/scheduler: realtime and task calls on one capped provider, the gateway's scheduler side
// by side with a naive gateway (one FIFO lane, fixed concurrency), in one run.
//   npm run bench:scheduler [-- --cap 6 --tasks 300 --step-tasks 300 --latency-ms 800 --baseline-s 20]
// The default cap is 6, the figure the docs quote from before task runs fanned out (one local
// consumer invocation then held at most six upstream calls); try --cap 8 and --cap 32.
import { parseArgs } from "node:util";
import { startStack, stackKey, STACK_ADMIN_KEY, type Stack } from "../scripts/dev-stack.ts";
import { startNaiveFifo } from "./naive-fifo.ts";
import { openLoop, type Sample } from "./open-loop.ts";
import { median, percentile, table } from "./stats.ts";

const { values } = parseArgs({
  options: {
    cap: { type: "string", default: "6" },
    tasks: { type: "string", default: "300" },
    "step-tasks": { type: "string", default: "300" },
    "latency-ms": { type: "string", default: "800" },
    "baseline-s": { type: "string", default: "20" },
  },
});
const C = Number(values.cap);
const TASKS = Number(values.tasks);
const STEP_TASKS = Number(values["step-tasks"]);
const TTFT = Number(values["latency-ms"]);
const BASELINE_MS = Number(values["baseline-s"]) * 1000;
const SIM_KEY = "sk-sim-stack";

const stack: Stack = await startStack({
  sim: { maxConcurrency: C, ttftMs: TTFT, tokensPerSecond: 1000, outputTokens: 8 },
  limits: { max_concurrency: C },
  vars: { TASK_WAIT_MS: "5000", REALTIME_WAIT_MS: "30000" },
});
const naive = await startNaiveFifo(`${stack.sim.url}`, SIM_KEY, C);
const key = await stackKey(stack, "bench");
const admin = { authorization: `Bearer ${STACK_ADMIN_KEY}` };
const json = { "content-type": "application/json" };

const chatBody = (content: string) => JSON.stringify({ model: "sim-small", messages: [{ role: "user", content }], max_tokens: 8 });

async function post(url: string, auth: string, path: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${url}${path}`, { method: "POST", headers: { ...json, ...headers, authorization: `Bearer ${auth}` }, body });
  await res.arrayBuffer();
  return res.status;
}

/** The gateway's realtime calls of the flood phases, by request id: their log rows split each call at its lease. */
const rtCalls: { phase: "alone" | "flood"; id: string; ms: number }[] = [];
let rtPhase: "alone" | "flood" | undefined;

const realtime = {
  gateway: async () => {
    const id = `rt-${crypto.randomUUID()}`;
    const phase = rtPhase;
    const t0 = performance.now();
    const status = await post(stack.url, key, "/v1/chat/completions", chatBody("realtime"), { "x-request-id": id });
    if (status === 200 && phase) rtCalls.push({ phase, id, ms: performance.now() - t0 });
    return status;
  },
  naive: () => post(naive.url, SIM_KEY, "/v1/chat/completions", chatBody("realtime")),
};

interface Status { tasks: { queued: number; running: number }; preemptions: number; upstream_429: number; task_limit: number; reserve: number; task_in_flight: number; realtime_in_flight: number; waiting: { realtime: number; task: number } }
/** The benchmarked deployment's lanes (sim-small on the sim provider), with its provider's task backlog. */
async function status(): Promise<Status> {
  const body = (await (await fetch(`${stack.url}/api/status`, { headers: admin })).json()) as { data: { provider: string; tasks: Status["tasks"]; deployments: (Omit<Status, "tasks"> & { model: string })[] }[] };
  const sim = body.data.find((p) => p.provider === "sim")!;
  return { ...sim.deployments.find((d) => d.model === "sim-small")!, tasks: sim.tasks };
}

/** Submits tasks to the gateway; resolves with their ids once all are accepted. */
async function submitTasks(n: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < n) {
        const i = next++;
        const res = await fetch(`${stack.url}/v1/tasks`, { method: "POST", headers: { ...json, authorization: `Bearer ${key}` }, body: chatBody(`${tag} ${i}`) });
        if (res.status !== 202) throw new Error(`task submit: ${res.status} ${await res.text()}`);
        ids.push(((await res.json()) as { id: string }).id);
      }
    }),
  );
  return ids;
}

async function taskStates(ids: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const id of ids) {
    const t = (await (await fetch(`${stack.url}/v1/tasks/${id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { status: string };
    counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  }
  return counts;
}

const p = (s: readonly Sample[], q: number) => percentile(s.filter((x) => x.status === 200).map((x) => x.latencyMs), q);

// The upstream's own service time, measured straight at the simulator.
const direct: number[] = [];
for (let i = 0; i < 10; i++) {
  const t0 = performance.now();
  await post(stack.sim.url, SIM_KEY, "/v1/chat/completions", chatBody("probe"));
  direct.push(performance.now() - t0);
}
const L = median(direct);
const rtRate = C / 3 / (L / 1000);
console.log(`bench/scheduler: cap C=${C}, upstream latency ${L.toFixed(0)} ms, realtime ≈ C/3 in flight (${rtRate.toFixed(2)} calls/s open loop), ${TASKS} tasks; step ${STEP_TASKS} tasks`);

interface FloodResult { alone: Sample[]; flood: Sample[]; wallMs: number; succeeded: number; lost: number; sim429: number; simMax: number; preemptions: number; occupancy?: Status[] }

async function gatewayFlood(): Promise<FloodResult> {
  rtPhase = "alone";
  const alone = await openLoop(() => rtRate, (t) => t > BASELINE_MS, realtime.gateway, 1);
  rtPhase = "flood";
  stack.sim.reset();
  const before = await status();
  const occupancy: Status[] = [];
  const started = performance.now();
  const ids = await submitTasks(TASKS, "flood");
  let done = false;
  const watcher = (async () => {
    while (!done) {
      const s = await status();
      if (s.tasks.queued + s.tasks.running === 0) done = true;
      else {
        occupancy.push(s);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  })();
  const flood = await openLoop(() => rtRate, () => done, realtime.gateway, 2);
  rtPhase = undefined;
  await watcher;
  const wallMs = performance.now() - started;
  const states = await taskStates(ids);
  const after = await status();
  if (process.env.BENCH_DEBUG) console.log("governor after flood", JSON.stringify(after));
  const sim = stack.sim.stats();
  return { alone, flood, wallMs, succeeded: states.get("succeeded") ?? 0, lost: ids.length - [...states.values()].reduce((a, b) => a + b, 0) + (states.get("queued") ?? 0) + (states.get("running") ?? 0), sim429: sim.rejected429, simMax: sim.maxInFlight, preemptions: after.preemptions - before.preemptions, occupancy };
}

/**
 * Where the gateway's realtime calls spent their time, alone and during the flood: before their
 * lease (the governor's wait, preemption included, and the gateway's own work up to it) and after
 * it (the upstream call and the answer), from each call's log row; and whether the deployment's
 * slots were ever idle while tasks waited.
 */
async function breakdown(r: FloodResult): Promise<string[]> {
  await new Promise((res) => setTimeout(res, 500));
  const rows = ((await (await fetch(`${stack.url}/api/logs?lane=realtime&limit=1000`, { headers: admin })).json()) as { data: { request_id: string; latency_ms: number }[] }).data;
  const afterLease = new Map(rows.map((row) => [row.request_id, row.latency_ms]));
  const lines: string[] = [];
  for (const phase of ["alone", "flood"] as const) {
    const calls = rtCalls.filter((c) => c.phase === phase && afterLease.has(c.id));
    const after = calls.map((c) => afterLease.get(c.id)!);
    const before = calls.map((c) => c.ms - afterLease.get(c.id)!);
    const pq = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(0)} ms, p95 ${percentile(xs, 95).toFixed(0)} ms`;
    lines.push(`  realtime ${phase.padEnd(5)} (${calls.length} calls): before the lease ${pq(before)}; after it ${pq(after)}`);
  }
  const o = r.occupancy ?? [];
  const mid = o.slice(Math.floor(o.length * 0.1), Math.ceil(o.length * 0.9));
  const avg = (f: (s: Status) => number) => (mid.reduce((a, s) => a + f(s), 0) / Math.max(1, mid.length)).toFixed(2);
  const idle = mid.filter((s) => s.realtime_in_flight + s.task_in_flight < C && s.tasks.queued > 0).length;
  lines.push(`  slots during the flood (middle 80% of ${o.length} samples): realtime ${avg((s) => s.realtime_in_flight)} + tasks ${avg((s) => s.task_in_flight)} of ${C}; tasks waiting in the governor ${avg((s) => s.waiting.task)}; samples with a slot idle while tasks were queued: ${idle}`);
  return lines;
}

async function naiveFlood(): Promise<FloodResult> {
  const alone = await openLoop(() => rtRate, (t) => t > BASELINE_MS, realtime.naive, 1);
  stack.sim.reset();
  const started = performance.now();
  let remaining = TASKS;
  let succeeded = 0;
  const tasks = Array.from({ length: TASKS }, (_, i) =>
    post(naive.url, SIM_KEY, "/v1/chat/completions", chatBody(`flood ${i}`)).then((s) => {
      if (s === 200) succeeded++;
      remaining--;
    }),
  );
  const flood = await openLoop(() => rtRate, () => remaining === 0, realtime.naive, 2);
  await Promise.all(tasks);
  const sim = stack.sim.stats();
  return { alone, flood, wallMs: performance.now() - started, succeeded, lost: TASKS - succeeded, sim429: sim.rejected429, simMax: sim.maxInFlight, preemptions: 0 };
}

/** Realtime demand jumps from 0 to C/2 mid-flood; seconds until realtime p99 is back within 1.2× of its baseline. */
async function step(kind: "gateway" | "naive", baselineP99: number): Promise<{ recoveryS: number | null; firstWindowP99: number }> {
  const quiet = 2000;
  const horizon = quiet + 20_000;
  const high = C / 2 / (L / 1000);
  let remaining = STEP_TASKS;
  if (kind === "gateway") {
    await submitTasks(STEP_TASKS, "step");
    void (async () => {
      while (remaining > 0) {
        const s = await status();
        remaining = s.tasks.queued + s.tasks.running;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
  } else {
    for (let i = 0; i < STEP_TASKS; i++) void post(naive.url, SIM_KEY, "/v1/chat/completions", chatBody(`step ${i}`)).then(() => remaining--);
  }
  const samples = await openLoop((t) => (t < quiet ? 0 : high), (t) => t > horizon, realtime[kind], 3);
  while (remaining > 0) await new Promise((r) => setTimeout(r, 250));
  const after = samples.filter((s) => s.at >= quiet);
  const windows: number[] = [];
  for (let w = quiet; w < horizon; w += 1000) windows.push(p(after.filter((s) => s.at >= w && s.at < w + 1000), 99));
  const limit = baselineP99 * 1.2;
  let recoveryS: number | null = null;
  // Recovered at the first second from which the next three seconds' realtime p99 is within the limit.
  const calm = (from: number) => p(after.filter((s) => s.at >= from && s.at < from + 3000), 99) <= limit;
  for (let w = quiet; w < horizon - 3000; w += 1000) {
    if (calm(w)) {
      recoveryS = (w - quiet) / 1000;
      break;
    }
  }
  if (process.env.BENCH_DEBUG) console.log(kind, "baseline p99", baselineP99.toFixed(0), "window p99s", windows.map((w) => w.toFixed(0)).join(" "));
  return { recoveryS, firstWindowP99: windows[0] ?? NaN };
}

const seconds = (s: number | null) => (s === null ? "not within the 20 s observed" : `${s} s`);

try {
  const g = await gatewayFlood();
  const gBreakdown = await breakdown(g);
  const gStep = await step("gateway", p(g.alone, 99));
  const n = await naiveFlood();
  const nStep = await step("naive", p(n.alone, 99));

  const row = (name: string, r: FloodResult, s: { recoveryS: number | null; firstWindowP99: number }) => {
    // Realtime's use of the upstream: its calls × the upstream's service time (queueing excluded).
    const rtInFlight = (r.flood.filter((x) => x.status === 200).length * L) / r.wallMs;
    const headroom = C - rtInFlight;
    const used = (r.succeeded / (r.wallMs / 1000)) * (L / 1000);
    return [
      name,
      p(r.alone, 50),
      p(r.flood, 50) / p(r.alone, 50),
      p(r.flood, 95) / p(r.alone, 95),
      p(r.flood, 99) / p(r.alone, 99),
      rtInFlight,
      used / headroom,
      r.sim429,
      r.simMax,
      r.preemptions,
      r.lost,
      s.recoveryS ?? "> 17",
    ];
  };
  console.log(
    table([
      ["path", "rt p50 alone ms", "rt p50 ×", "rt p95 ×", "rt p99 ×", "rt in flight", "task use of headroom", "upstream 429s", "max in flight", "preemptions", "tasks lost", "step recovery s"],
      row("scheduler", g, gStep),
      row("naive FIFO", n, nStep),
    ]),
  );
  console.log();
  console.log(`× = realtime latency during the task flood ÷ realtime alone. Task use of headroom = task throughput × upstream latency ÷ (C − realtime in flight).`);
  console.log("scheduler, where realtime time went and how full the slots were:");
  for (const line of gBreakdown) console.log(line);
  console.log(`flood wall time: scheduler ${(g.wallMs / 1000).toFixed(1)} s (${g.succeeded}/${TASKS} succeeded), naive ${(n.wallMs / 1000).toFixed(1)} s (${n.succeeded}/${TASKS})`);
  console.log(`step 0 → C/2 realtime mid-flood: realtime p99 in the first second ${gStep.firstWindowP99.toFixed(0)} ms (scheduler) vs ${nStep.firstWindowP99.toFixed(0)} ms (naive);`);
  console.log(`  recovery = seconds after the jump until the p99 of the next 3 s is within 1.2× of the baseline p99 (${seconds(gStep.recoveryS)} vs ${seconds(nStep.recoveryS)})`);
} finally {
  await naive.close();
  await stack.stop();
}
