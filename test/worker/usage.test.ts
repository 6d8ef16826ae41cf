/** Prices, cost on log rows and tasks, the cost API (seed 003) and /api/stats, read from the daily rollups. */
import { describe, expect, it } from "vitest";
import { ADMIN, call, chat, logRows, userWithKey } from "./helpers.ts";

type Json = Record<string, any>;
const json = (res: Response) => res.json() as Promise<Json>;
const get = async (path: string, key = ADMIN): Promise<Json> => json(await call(path, { key }));

/** sim-small's built-in price: $1 in, $2 out per million tokens. */
const simSmallCost = (r: Json) => (r.prompt_tokens * 1 + r.completion_tokens * 2) / 1e6;

/** Polls a usage endpoint until `ready` holds: rollups are written with the log batch, after the response. */
async function settled(path: string, key: string, ready: (body: Json) => boolean): Promise<Json> {
  let body: Json = {};
  for (let i = 0; i < 100; i++) {
    body = await get(path, key);
    if (ready(body)) return body;
    await scheduler.wait(20);
  }
  return body;
}

describe("prices", () => {
  it("lists built-in prices, and an admin's price wins until deleted", async () => {
    const list = await get("/api/prices");
    expect(list.data.find((p: Json) => p.model === "gpt-4o")).toMatchObject({ input: 2.5, output: 10, source: "default" });
    const put = await call("/api/prices/sim-large", { method: "PUT", key: ADMIN, json: { input: 4, output: 8 } });
    expect(put.status).toBe(200);
    expect((await get("/api/prices")).data.find((p: Json) => p.model === "sim-large")).toMatchObject({ input: 4, output: 8, cached_input: null, source: "admin" });
    const gone = await json(await call("/api/prices/sim-large", { method: "DELETE", key: ADMIN }));
    expect(gone.now).toMatchObject({ input: 3, output: 15, source: "default" });
  });

  it("refuses bad prices and non-admins", async () => {
    const bad = await call("/api/prices/x", { method: "PUT", key: ADMIN, json: { input: 1, output: 2, per: "token" } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.param).toBe("per");
    expect((await call("/api/prices/x", { method: "PUT", key: ADMIN, json: { input: -1, output: 2 } })).status).toBe(400);
    const u = await userWithKey();
    expect((await call("/api/prices/x", { method: "PUT", key: u.key, json: { input: 1, output: 2 } })).status).toBe(403);
    expect((await call("/api/prices", { key: u.key })).status).toBe(200);
  });
});

describe("cost and usage", () => {
  it("prices every call from its usage, and the cost API and stats add them up", async () => {
    const u = await userWithKey();
    for (const content of ["one", "two two", "three three three"]) expect((await chat(u.key, content)).status).toBe(200);
    const rows = await logRows(`user_id=${u.id}`, (r) => r.length === 3);
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r.cost_usd).toBeCloseTo(simSmallCost(r), 10);
    const expected = rows.reduce((n, r) => n + r.cost_usd, 0);
    const tokens = rows.reduce((n, r) => n + r.prompt_tokens, 0);

    const current = await settled("/api/v1/cost/current", u.key, (b) => b.today?.requests === 3);
    expect(current).toMatchObject({ object: "cost.current", user_id: u.id, currency: "USD", today: { requests: 3, prompt_tokens: tokens }, month: { requests: 3 } });
    expect(current.today.cost_usd).toBeCloseTo(expected, 6);

    const byModel = await get(`/api/v1/cost/by-model?user_id=${u.id}`);
    expect(byModel.data).toEqual([expect.objectContaining({ model: "sim-small", requests: 3, share: 1 })]);
    expect(byModel.data[0].cost_usd).toBeCloseTo(expected, 6);

    const daily = await get(`/api/v1/cost/daily?days=3`, u.key);
    expect(daily.data).toHaveLength(3);
    expect(daily.data.at(-1)).toMatchObject({ date: current.today.date, requests: 3 });
    expect(daily.data[0]).toMatchObject({ requests: 0, cost_usd: 0 });

    const summary = await get("/api/v1/cost/summary", u.key);
    expect(summary).toMatchObject({ object: "cost.summary", requests: 3, saved_usd: 0, by_lane: [expect.objectContaining({ lane: "realtime", requests: 3 })] });

    const byUser = await get("/api/v1/cost/by-user");
    expect(byUser.data.find((r: Json) => r.user_id === u.id)).toMatchObject({ username: expect.any(String), requests: 3 });

    const stats = await get(`/api/stats?user_id=${u.id}`);
    expect(stats.totals).toMatchObject({ requests: 3, succeeded: 3, failed: 0, success_rate: 1, prompt_tokens: tokens });
    expect(stats.totals.latency_ms.p50).toBeGreaterThan(0);
    expect(stats.totals.latency_ms.p99).toBeGreaterThanOrEqual(stats.totals.latency_ms.p50);
    expect(stats.by_model).toEqual([expect.objectContaining({ model: "sim-small", requests: 3 })]);
    expect(stats.by_provider).toEqual([expect.objectContaining({ provider: "sim", requests: 3 })]);
    expect(stats.by_lane).toEqual([expect.objectContaining({ lane: "realtime" })]);
    expect(stats.by_day.at(-1)).toMatchObject({ requests: 3 });
  });

  it("prices a streamed call from the usage its stream reported", async () => {
    const u = await userWithKey();
    const res = await chat(u.key, "stream me", { stream: true });
    expect(res.status).toBe(200);
    await res.text();
    const [row] = await logRows(`user_id=${u.id}`, (r) => r.length === 1);
    expect(row).toMatchObject({ stream: true, status: 200 });
    expect(row!.completion_tokens).toBeGreaterThan(0);
    expect(row!.cost_usd).toBeCloseTo(simSmallCost(row!), 10);
  });

  it("puts a task's cost on the task and in the task lane's totals", async () => {
    const u = await userWithKey();
    const submitted = await json(await call("/v1/tasks", { method: "POST", key: u.key, json: { model: "sim-small", messages: [{ role: "user", content: "a task" }] } }));
    let task: Json = submitted;
    for (let i = 0; i < 300 && task.status !== "succeeded"; i++) {
      await scheduler.wait(20);
      task = await get(`/v1/tasks/${submitted.id}`, u.key);
    }
    expect(task.status).toBe("succeeded");
    expect(task.cost_usd).toBeCloseTo(simSmallCost(task.result.usage), 10);
    const summary = await settled("/api/v1/cost/summary", u.key, (b) => b.requests === 1);
    expect(summary.by_lane).toEqual([expect.objectContaining({ lane: "task", requests: 1 })]);
    expect(summary.cost_usd).toBeCloseTo(task.cost_usd, 6);
  });

  it("counts failures in stats, not in cost", async () => {
    const u = await userWithKey();
    expect((await chat(u.key, "fine")).status).toBe(200);
    expect((await chat(u.key, "bad", { max_tokens: -1 })).status).toBe(400);
    const stats = await settled("/api/stats", u.key, (b) => b.totals?.requests >= 1);
    // A request refused at the door never reached a deployment: it is not a call, and has no row.
    expect(stats.totals).toMatchObject({ requests: 1, succeeded: 1 });
  });

  it("shows users only their own usage", async () => {
    const a = await userWithKey();
    const b = await userWithKey();
    expect((await chat(a.key)).status).toBe(200);
    await settled("/api/v1/cost/current", a.key, (x) => x.today?.requests === 1);
    expect((await get("/api/v1/cost/current", b.key)).today.requests).toBe(0);
    const peek = await call(`/api/stats?user_id=${a.id}`, { key: b.key });
    expect(peek.status).toBe(403);
    expect((await get("/api/v1/cost/by-user", b.key)).data).toEqual([]);
  });

  it("refuses unknown and malformed query fields", async () => {
    const unknown = await call("/api/v1/cost/daily?dayz=3", { key: ADMIN });
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).error.param).toBe("dayz");
    expect((await call("/api/v1/cost/daily?since=2026-13-40", { key: ADMIN })).status).toBe(400);
    expect((await call("/api/stats?since=2026-02-01&until=2026-01-01", { key: ADMIN })).status).toBe(400);
  });
});
