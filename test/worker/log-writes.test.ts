// The log write every isolate's batch ends in: rows and their daily rollups, many rows to one
// statement (their values travel as one JSON parameter).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../../src/db/client.ts";
import { writeRequestLogs, type NewRequestLog } from "../../src/db/request-logs.ts";

const row = (i: number, over: Partial<NewRequestLog> = {}): NewRequestLog => ({
  id: `log-writes-${crypto.randomUUID()}`,
  createdAt: Date.UTC(2026, 0, 2, 12, 0, i % 60),
  requestId: `req-${i}`,
  userId: "log-writes-user",
  keyId: null,
  endpoint: "chat.completions",
  taskId: null,
  model: "m-log-writes",
  provider: "p",
  deployment: "p/m",
  attempt: 1,
  lane: "realtime",
  stream: i % 2 === 0,
  status: 200,
  latencyMs: 30 + i,
  ttftMs: null,
  promptTokens: 10,
  completionTokens: 5,
  error: i === 0 ? `quote ' and "double" and ünïcode 你好` : null,
  costUsd: 0.000125,
  listCostUsd: 0.00025,
  ...over,
});

describe("writing request-log rows", () => {
  it("writes more rows than one statement could bind, as stored values, and adds each batch to the day's rollup", async () => {
    const db = database(env.DB);
    const first = Array.from({ length: 250 }, (_, i) => row(i));
    await writeRequestLogs(db, first, 0);
    await writeRequestLogs(db, [row(1, { status: 502, costUsd: null, listCostUsd: null, promptTokens: null, completionTokens: null }), row(2)], 0);

    const logs = await env.DB.prepare("SELECT * FROM request_logs WHERE user_id = ? ORDER BY latency_ms, status").bind("log-writes-user").all<Record<string, unknown>>();
    expect(logs.results).toHaveLength(252);
    expect(logs.results[0]).toMatchObject({ request_id: "req-0", stream: 1, attempt: 1, ttft_ms: null, key_id: null, error: `quote ' and "double" and ünïcode 你好`, cost_usd: 0.000125 });
    expect(logs.results[1]).toMatchObject({ request_id: "req-1", stream: 0, status: 200 });

    const rollups = await env.DB.prepare("SELECT status, requests, prompt_tokens, cost_usd, latency_ms_sum, unpriced FROM usage_daily WHERE owner_id = ? ORDER BY status").bind("log-writes-user").all<Record<string, number>>();
    const latencySum = first.reduce((a, r) => a + r.latencyMs, 0) + 32;
    expect(rollups.results).toEqual([
      { status: 200, requests: 251, prompt_tokens: 2510, cost_usd: expect.closeTo(251 * 0.000125, 9), latency_ms_sum: latencySum, unpriced: 0 },
      { status: 502, requests: 1, prompt_tokens: 0, cost_usd: 0, latency_ms_sum: 31, unpriced: 0 },
    ]);
  });
});
