// bench/crash-recovery: kill `wrangler dev` (SIGKILL) in the middle of a task flood, start it
// again on the same state, and check that every accepted task reaches a terminal state with at
// most one recorded result. Reports how soon after the restart work resumes and ends, with the
// gateway's default settings.   npm run bench:crash [-- --tasks 300 --kill-after 0.3]
import { parseArgs } from "node:util";
import { startStack, stackKey, STACK_ADMIN_KEY } from "../scripts/dev-stack.ts";

const { values } = parseArgs({ options: { tasks: { type: "string", default: "300" }, "kill-after": { type: "string", default: "0.3" }, "timeout-s": { type: "string", default: "180" } } });
const TASKS = Number(values.tasks);
const KILL_AFTER = Number(values["kill-after"]);
const TIMEOUT_MS = Number(values["timeout-s"]) * 1000;

const stack = await startStack({
  sim: { maxConcurrency: 6, ttftMs: 300, tokensPerSecond: 1000, outputTokens: 8 },
  limits: { max_concurrency: 6 },
});
const key = await stackKey(stack, "crash");
const auth = { authorization: `Bearer ${key}` };
const terminal = new Set(["succeeded", "failed", "cancelled", "expired"]);

async function states(ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of ids) {
    const res = await fetch(`${stack.url}/v1/tasks/${id}`, { headers: auth });
    out.set(id, res.ok ? ((await res.json()) as { status: string }).status : `http ${res.status}`);
  }
  return out;
}
const count = (m: Map<string, string>, s: string) => [...m.values()].filter((v) => v === s).length;

try {
  const ids: string[] = [];
  for (let i = 0; i < TASKS; i++) {
    const res = await fetch(`${stack.url}/v1/tasks`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ model: "sim-small", messages: [{ role: "user", content: `crash ${i}` }], max_tokens: 8 }) });
    if (res.status !== 202) throw new Error(`submit ${res.status}`);
    ids.push(((await res.json()) as { id: string }).id);
  }
  // Let part of the flood finish, then kill the gateway with calls in flight and messages queued.
  while (stack.sim.stats().completed < TASKS * KILL_AFTER) await new Promise((r) => setTimeout(r, 50));
  const atKill = await states(ids);
  const inFlight = stack.sim.stats().inFlight;
  await stack.crash();
  const killedAt = performance.now();
  await stack.restart();
  const restartedAt = performance.now();
  // Calls in flight at the kill finish on the simulator's side long before the restart: count from here.
  const completedAtRestart = stack.sim.stats().completed;
  console.log(`bench/crash-recovery: ${TASKS} tasks accepted (202); killed wrangler dev with ${count(atKill, "succeeded")} succeeded, ${count(atKill, "running")} running, ${count(atKill, "queued")} queued, ${inFlight} upstream calls in flight; back up (healthy) ${((restartedAt - killedAt) / 1000).toFixed(1)} s after the kill`);

  // Work has resumed when the upstream completes a call again; all done when every task is terminal.
  let resumedAt: number | undefined;
  const watch = setInterval(() => {
    if (resumedAt === undefined && stack.sim.stats().completed > completedAtRestart) resumedAt = performance.now();
  }, 50);
  let final = atKill;
  while (performance.now() - killedAt < TIMEOUT_MS) {
    final = await states(ids);
    if ([...final.values()].every((v) => terminal.has(v))) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  clearInterval(watch);
  const doneAt = performance.now();
  const recoveredS = (doneAt - killedAt) / 1000;
  const fromRestart = (t: number | undefined) => (t === undefined ? "never" : `${((t - restartedAt) / 1000).toFixed(1)} s`);
  console.log(`after the restart: first upstream call completed ${fromRestart(resumedAt)}, all tasks terminal ${fromRestart(doneAt)}`);
  const logs = (await (await fetch(`${stack.url}/api/logs?lane=task&status=200&limit=1000`, { headers: { authorization: `Bearer ${STACK_ADMIN_KEY}` } })).json()) as { data: { task_id: string }[] };
  const results = new Map<string, number>();
  for (const l of logs.data) results.set(l.task_id, (results.get(l.task_id) ?? 0) + 1);
  const twice = [...results.values()].filter((n) => n > 1).length;
  const notTerminal = [...final.values()].filter((v) => !terminal.has(v)).length;
  console.log(`after restart: ${count(final, "succeeded")} succeeded, ${count(final, "failed")} failed, ${count(final, "expired")} expired, ${notTerminal} not terminal, ${recoveredS.toFixed(1)} s from kill to all terminal`);
  console.log(`tasks with two recorded results: ${twice}; upstream calls made: ${stack.sim.stats().requests} (after the restart) for ${TASKS} tasks`);
  if (notTerminal > 0 || twice > 0) process.exitCode = 1;
} finally {
  await stack.stop();
}
