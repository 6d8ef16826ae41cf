// Whether the usage API's answer time grows with the request log: two gateways side by side under
// wrangler dev, seeded before they start with N/10 and with N log rows over the same 30 days,
// owners, models, lanes and statuses (so the same rollup rows), timed in alternating blocks.
// Beside them, the same by-model totals read straight from the log rows and from the rollups
// (SQLite, no HTTP).
// Run: npm run bench:usage -- [--rows 1000000] [--blocks 5] [--per-block 10]
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { STACK_ADMIN_KEY, startStack, type Stack } from "../scripts/dev-stack.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({ options: { rows: { type: "string", default: "1000000" }, blocks: { type: "string", default: "5" }, "per-block": { type: "string", default: "10" } } });
const ROWS = Number(values.rows);
const BLOCKS = Number(values.blocks);
const PER_BLOCK = Number(values["per-block"]);
const DAYS = 30;
const OWNERS = 20;
const MODELS = ["sim-small", "sim-large", "gpt-4o", "deepseek-chat"];
const LANES = ["realtime", "task"];
const STATUSES = [200, 429, 502];
const BOUNDS = [25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];
const BUCKETS = [...BOUNDS.map((b) => `le_${b}`), "le_inf"];
const PATHS = ["/api/stats?days=30", "/api/v1/cost/summary?days=30", "/api/v1/cost/by-model?days=30", "/api/v1/cost/daily?days=30"];

function d1File(state: string): DatabaseSync {
  const dir = join(state, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!file) throw new Error(`no D1 file in ${dir}`);
  return new DatabaseSync(join(dir, file));
}

interface Seeded {
  rows: number;
  rollups: number;
  seconds: number;
  fromLogsMs: number;
  fromRollupsMs: number;
}

/** Writes `rows` log rows (every owner × model × lane × day, a few 429s and 502s) and their rollups. */
function seed(state: string, rows: number, info: Seeded): void {
  const started = performance.now();
  const db = d1File(state);
  const now = Date.now();
  const log = db.prepare("INSERT INTO request_logs (id, user_id, endpoint, model, provider, lane, status, latency_ms, prompt_tokens, completion_tokens, cost_usd, list_cost_usd, attempt, stream, created_at) VALUES (?, ?, 'chat.completions', ?, 'sim', ?, ?, ?, 100, 50, 0.0002, 0.0002, 1, 0, ?)");
  const rollups = new Map<string, { requests: number; latency: number; buckets: number[] }>();
  db.exec("BEGIN");
  for (let i = 0; i < rows; i++) {
    const owner = `user-${i % OWNERS}`;
    const model = MODELS[Math.floor(i / OWNERS) % MODELS.length]!;
    const lane = LANES[Math.floor(i / (OWNERS * MODELS.length)) % 2]!;
    const status = STATUSES[i % 17 === 0 ? 1 : i % 29 === 0 ? 2 : 0]!;
    const latency = 20 + ((i * 7919) % 3000);
    const at = now - (Math.floor(i / (OWNERS * MODELS.length * 2)) % DAYS) * 86_400_000 - (i % 1000);
    log.run(crypto.randomUUID(), owner, model, lane, status, latency, at);
    const key = [new Date(at).toISOString().slice(0, 10), owner, model, lane, status].join("|");
    const r = rollups.get(key) ?? { requests: 0, latency: 0, buckets: BUCKETS.map(() => 0) };
    r.requests++;
    r.latency += latency;
    const b = BOUNDS.findIndex((le) => latency <= le);
    r.buckets[b === -1 ? BOUNDS.length : b]!++;
    rollups.set(key, r);
  }
  const roll = db.prepare(`INSERT INTO usage_daily (day, owner_id, key_id, model, provider, lane, status, requests, prompt_tokens, completion_tokens, cost_usd, list_cost_usd, unpriced, latency_ms_sum, ${BUCKETS.join(", ")}) VALUES (?, ?, '', ?, 'sim', ?, ?, ?, ?, ?, ?, ?, 0, ?, ${BUCKETS.map(() => "?").join(", ")})`);
  for (const [key, r] of rollups) {
    const [day, owner, model, lane, status] = key.split("|") as [string, string, string, string, string];
    roll.run(day, owner, model, lane, Number(status), r.requests, r.requests * 100, r.requests * 50, r.requests * 0.0002, r.requests * 0.0002, r.latency, ...r.buckets);
  }
  db.exec("COMMIT");
  info.rows = rows;
  info.rollups = rollups.size;
  info.seconds = (performance.now() - started) / 1000;
  const since = new Date(now - (DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const timed = (sql: string, arg: number | string) => {
    const ms: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      db.prepare(sql).all(arg);
      ms.push(performance.now() - t);
    }
    return median(ms);
  };
  info.fromLogsMs = timed("SELECT model, count(*), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd), sum(latency_ms) FROM request_logs WHERE created_at >= ? GROUP BY model", now - DAYS * 86_400_000);
  info.fromRollupsMs = timed(`SELECT model, sum(requests), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd), sum(latency_ms_sum), json_array(${BUCKETS.map((b) => `sum(${b})`).join(", ")}) FROM usage_daily WHERE day >= ? GROUP BY model`, since);
  db.close();
}

async function timeBlock(stack: Stack, path: string, into: number[]): Promise<void> {
  for (let i = 0; i < PER_BLOCK; i++) {
    const t = performance.now();
    const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${STACK_ADMIN_KEY}` } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    into.push(performance.now() - t);
  }
}

const info = { small: {} as Seeded, large: {} as Seeded };
const small = await startStack({ beforeStart: (state) => seed(state, Math.round(ROWS / 10), info.small) });
const large = await startStack({ beforeStart: (state) => seed(state, ROWS, info.large) });
try {
  const times = new Map(PATHS.map((p) => [p, { small: [] as number[], large: [] as number[] }]));
  for (let block = 0; block < BLOCKS; block++) {
    for (const path of PATHS) {
      const t = times.get(path)!;
      // Alternate which gateway goes first, block by block.
      const order = block % 2 === 0 ? ([["small", small], ["large", large]] as const) : ([["large", large], ["small", small]] as const);
      for (const [name, stack] of order) await timeBlock(stack, path, t[name]);
    }
  }
  for (const s of [info.small, info.large]) console.log(`seeded ${s.rows} log rows and ${s.rollups} rollup rows in ${s.seconds.toFixed(1)} s; by-model totals of 30 days, SQLite directly (no HTTP): from the rollups ${s.fromRollupsMs.toFixed(1)} ms, from the log rows ${s.fromLogsMs.toFixed(0)} ms`);
  console.log(`(${DAYS} days, ${OWNERS} owners, ${MODELS.length} models, 2 lanes, 3 statuses; ${BLOCKS} alternating blocks of ${PER_BLOCK} requests)`);
  console.log(`| endpoint | median ms, ${info.small.rows} log rows | median ms, ${info.large.rows} log rows | ratio |`);
  console.log("|---|---|---|---|");
  for (const [path, t] of times) console.log(`| \`${path}\` | ${median(t.small).toFixed(1)} | ${median(t.large).toFixed(1)} | ${(median(t.large) / median(t.small)).toFixed(2)} |`);
} finally {
  await Promise.all([small.stop(), large.stop()]);
}
