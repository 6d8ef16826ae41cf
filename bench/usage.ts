// How the usage API's answer time depends on the number of request-log rows: measured with an
// empty gateway, then after seeding N log rows (and the rollup rows they come to) straight into
// the local D1 file, side by side with the aggregate a report would need without rollups.
// Run: npm run bench:usage -- [--rows 1000000] [--repeat 30]
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { STACK_ADMIN_KEY, startStack } from "../scripts/dev-stack.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({ options: { rows: { type: "string", default: "1000000" }, repeat: { type: "string", default: "30" } } });
const ROWS = Number(values.rows);
const REPEAT = Number(values.repeat);
const DAYS = 30;
const OWNERS = 20;
const MODELS = ["sim-small", "sim-large", "gpt-4o", "deepseek-chat"];
const LANES = ["realtime", "task"];
const STATUSES = [200, 429, 502];
const BUCKETS = ["le_25", "le_50", "le_100", "le_250", "le_500", "le_1000", "le_2500", "le_5000", "le_10000", "le_30000", "le_60000", "le_inf"];

const stack = await startStack();
const auth = { authorization: `Bearer ${STACK_ADMIN_KEY}` };
const paths = ["/api/stats?days=30", "/api/v1/cost/summary?days=30", "/api/v1/cost/by-model?days=30", "/api/v1/cost/daily?days=30"];

async function timeAll(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const path of paths) {
    const ms: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const t = performance.now();
      const res = await fetch(`${stack.url}${path}`, { headers: auth });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      ms.push(performance.now() - t);
    }
    out[path] = median(ms);
  }
  return out;
}

try {
  const empty = await timeAll();
  console.error("timed the empty gateway; seeding…");
  const dir = join(stack.state, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!file) throw new Error(`no D1 file in ${dir}`);
  const db = new DatabaseSync(join(dir, file));
  db.exec("PRAGMA busy_timeout = 10000");
  const now = Date.now();
  const seedStart = performance.now();
  db.exec("BEGIN");
  const log = db.prepare("INSERT INTO request_logs (id, user_id, endpoint, model, provider, lane, status, latency_ms, prompt_tokens, completion_tokens, cost_usd, list_cost_usd, attempt, stream, created_at) VALUES (?, ?, 'chat.completions', ?, 'sim', ?, ?, ?, 100, 50, 0.0002, 0.0002, 1, 0, ?)");
  const rollups = new Map<string, { requests: number; latency: number; buckets: number[] }>();
  for (let i = 0; i < ROWS; i++) {
    // Every combination of owner, model, lane and day occurs, with a few 429s and 502s.
    const owner = `user-${i % OWNERS}`;
    const model = MODELS[Math.floor(i / OWNERS) % MODELS.length]!;
    const lane = LANES[Math.floor(i / (OWNERS * MODELS.length)) % 2]!;
    const status = STATUSES[i % 17 === 0 ? 1 : i % 29 === 0 ? 2 : 0]!;
    const latency = 20 + ((i * 7919) % 3000);
    const at = now - (Math.floor(i / (OWNERS * MODELS.length * 2)) % DAYS) * 86_400_000 - (i % 1000);
    log.run(crypto.randomUUID(), owner, model, lane, status, latency, at);
    if (i % 50_000 === 49_999) {
      db.exec("COMMIT");
      db.exec("BEGIN");
    }
    const day = new Date(at).toISOString().slice(0, 10);
    const key = [day, owner, model, lane, status].join("|");
    const r = rollups.get(key) ?? { requests: 0, latency: 0, buckets: BUCKETS.map(() => 0) };
    r.requests++;
    r.latency += latency;
    const b = [25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000].findIndex((le) => latency <= le);
    r.buckets[b === -1 ? 11 : b]!++;
    rollups.set(key, r);
  }
  const roll = db.prepare(`INSERT INTO usage_daily (day, owner_id, key_id, model, provider, lane, status, requests, prompt_tokens, completion_tokens, cost_usd, list_cost_usd, unpriced, latency_ms_sum, ${BUCKETS.join(", ")}) VALUES (?, ?, '', ?, 'sim', ?, ?, ?, ?, ?, ?, ?, 0, ?, ${BUCKETS.map(() => "?").join(", ")})`);
  for (const [key, r] of rollups) {
    const [day, owner, model, lane, status] = key.split("|") as [string, string, string, string, string];
    roll.run(day, owner, model, lane, Number(status), r.requests, r.requests * 100, r.requests * 50, r.requests * 0.0002, r.requests * 0.0002, r.latency, ...r.buckets);
  }
  db.exec("COMMIT");
  const seeded = (performance.now() - seedStart) / 1000;
  // What a report over the logs themselves would run: the by-model totals of 30 days.
  const naive: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    db.prepare("SELECT model, count(*), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd), sum(latency_ms) FROM request_logs WHERE created_at >= ? GROUP BY model").all(now - DAYS * 86_400_000);
    naive.push(performance.now() - t);
  }
  // The rollup query a report runs (by model), on the same file, for comparison.
  const rolled: number[] = [];
  const since = new Date(now - (DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    db.prepare(`SELECT model, sum(requests), sum(case when status between 200 and 399 then requests else 0 end), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd), sum(list_cost_usd), sum(unpriced), sum(latency_ms_sum), json_array(${BUCKETS.map((b) => `sum(${b})`).join(", ")}) FROM usage_daily WHERE day >= ? GROUP BY model`).all(since);
    rolled.push(performance.now() - t);
  }
  db.close();
  console.error("seeded; timing again…");
  const full = await timeAll();
  console.log(`seeded ${ROWS} log rows and ${rollups.size} rollup rows in ${seeded.toFixed(1)} s (${DAYS} days, ${OWNERS} owners, ${MODELS.length} models, 2 lanes, 3 statuses)`);
  console.log("| endpoint | median ms, empty | median ms, seeded | ratio |");
  console.log("|---|---|---|---|");
  for (const p of paths) console.log(`| \`${p}\` | ${empty[p]!.toFixed(1)} | ${full[p]!.toFixed(1)} | ${(full[p]! / empty[p]!).toFixed(2)} |`);
  console.log(`by-model totals, SQLite directly (no HTTP): from the ${rollups.size} rollup rows ${median(rolled).toFixed(1)} ms; from the ${ROWS} log rows ${median(naive).toFixed(0)} ms`);
} finally {
  await stack.stop();
}
