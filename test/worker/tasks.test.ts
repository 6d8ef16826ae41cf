import { createExecutionContext, createMessageBatch, getQueueResult, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index.ts";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env.ts";
import { runTask } from "../../src/tasks/run-task.ts";
import { taskSweeper } from "../../src/tasks/task-sweeper.ts";
import { ADMIN, call, callWith, simRequests, simReset, simStats, simUrl, userWithKey } from "./helpers.ts";

const bindings = env as unknown as Bindings;

interface Task { id: string; object: string; status: string; result: { object: string; choices: unknown[] } | null; error: { code: string; message: string } | null; attempts: number; preemptions: number; deadline: string | null }

function submit(key: string, content = "work", extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return call("/v1/tasks", { method: "POST", key, headers, json: { model: "sim-small", messages: [{ role: "user", content }], ...extra } });
}

async function waitFor(key: string, id: string, done: (t: Task) => boolean): Promise<Task> {
  let task: Task | undefined;
  for (let i = 0; i < 300; i++) {
    task = (await (await call(`/v1/tasks/${id}`, { key })).json()) as Task;
    if (done(task)) return task;
    await scheduler.wait(20);
  }
  throw new Error(`task ${id} stuck in ${task?.status}`);
}
/** Writes a task row directly, as a consumer or a crash would have left it. */
async function insertTask(ownerId: string, row: { status: "queued" | "running"; deadline: number; leaseUntil: number; runId?: string; availableAt?: number; messages?: unknown[]; model?: string; error?: unknown; attempts?: number }): Promise<string> {
  const id = `task_manual_${crypto.randomUUID()}`;
  const now = Date.now();
  const model = row.model ?? "sim-small";
  const request = JSON.stringify({ model, messages: row.messages ?? [{ role: "user", content: "x" }] });
  await env.DB.prepare("insert into tasks (id, owner_id, model, provider, status, request, deadline, lease_until, run_id, available_at, error, attempts, created_at, updated_at) values (?, ?, ?, 'sim', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    .bind(id, ownerId, model, row.status, request, row.deadline, row.leaseUntil, row.runId ?? null, row.availableAt ?? 0, row.error === undefined ? null : JSON.stringify(row.error), row.attempts ?? 0, now, now)
    .run();
  return id;
}

const terminal = (t: Task) => ["succeeded", "failed", "cancelled", "expired"].includes(t.status);

describe("task API", () => {
  it("accepts a task with 202, runs it through the queue, and returns the chat.completion", async () => {
    const u = await userWithKey();
    const res = await submit(u.key, "summarise", { deadline: new Date(Date.now() + 3600_000).toISOString(), metadata: { batch: "nightly" } });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as Task & { metadata: unknown };
    expect(accepted).toMatchObject({ object: "task", status: "queued", metadata: { batch: "nightly" } });
    const done = await waitFor(u.key, accepted.id, terminal);
    expect(done.status).toBe("succeeded");
    expect(done.result?.object).toBe("chat.completion");
    expect(done.attempts).toBe(1);
  });

  it("hides another tenant's task (404), lists only the caller's own, filters and pages", async () => {
    const a = await userWithKey();
    const b = await userWithKey();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(((await (await submit(a.key, `a${i}`)).json()) as Task).id);
    expect((await call(`/v1/tasks/${ids[0]}`, { key: b.key })).status).toBe(404);
    expect((await call(`/v1/tasks/${ids[0]}`, { method: "DELETE", key: b.key })).status).toBe(404);
    const mine = (await (await call("/v1/tasks?limit=2", { key: a.key })).json()) as { data: Task[]; has_more: boolean; last_id: string };
    expect(mine.data).toHaveLength(2);
    expect(mine.has_more).toBe(true);
    const next = (await (await call(`/v1/tasks?limit=2&after=${mine.last_id}`, { key: a.key })).json()) as { data: Task[] };
    expect([...mine.data, ...next.data].map((t) => t.id).sort()).toEqual([...ids].sort());
    expect(((await (await call("/v1/tasks", { key: b.key })).json()) as { data: Task[] }).data).toHaveLength(0);
    expect((await call("/v1/tasks?status=bogus", { key: a.key })).status).toBe(400);
  });

  it("returns the same task for a reused Idempotency-Key with the same body, 422 with another", async () => {
    const u = await userWithKey();
    const first = (await (await submit(u.key, "once", {}, { "idempotency-key": "k-1" })).json()) as Task;
    const again = await submit(u.key, "once", {}, { "idempotency-key": "k-1" });
    expect(again.status).toBe(202);
    expect(((await again.json()) as Task).id).toBe(first.id);
    const other = await submit(u.key, "different", {}, { "idempotency-key": "k-1" });
    expect(other.status).toBe(422);
    // Keys are per tenant: another user may use the same key.
    const v = await userWithKey();
    expect(((await (await submit(v.key, "once", {}, { "idempotency-key": "k-1" })).json()) as Task).id).not.toBe(first.id);
  });

  it("validates: unknown model 404, past deadline 400, bad deadline 400, stream 400", async () => {
    const u = await userWithKey();
    expect((await submit(u.key, "x", { model: "nope" })).status).toBe(404);
    expect((await submit(u.key, "x", { deadline: "2001-01-01T00:00:00Z" })).status).toBe(400);
    const bad = await submit(u.key, "x", { deadline: "tomorrow" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("deadline");
    expect((await submit(u.key, "x", { stream: true })).status).toBe(400);
  });

  it("cancels a queued task; a cancelled task never runs", async () => {
    const u = await userWithKey();
    const id = await insertTask(u.id, { status: "queued", deadline: Date.now() + 3600_000, leaseUntil: Date.now() + 60_000, runId: "hold:elsewhere" });
    const cancelled = (await (await call(`/v1/tasks/${id}`, { method: "DELETE", key: u.key })).json()) as Task;
    expect(cancelled.status).toBe("cancelled");
    expect(await runTask(bindings, id)).toBe("skipped");
    expect(((await (await call(`/v1/tasks/${id}`, { key: u.key })).json()) as Task).status).toBe("cancelled");
  });
});

describe("durability", () => {
  it("a duplicate delivery of a finished task makes no second upstream call and no second result", async () => {
    const u = await userWithKey();
    const marker = `dup-${crypto.randomUUID()}`;
    const task = (await (await submit(u.key, marker)).json()) as Task;
    const done = await waitFor(u.key, task.id, terminal);
    const callsFor = async () => (await simRequests()).filter((b) => JSON.stringify(b).includes(marker)).length;
    expect(await callsFor()).toBe(1);
    const batch = createMessageBatch("gateway-tasks", [
      { id: "dup-1", timestamp: new Date(), attempts: 1, body: { taskId: task.id } },
      { id: "dup-2", timestamp: new Date(), attempts: 2, body: { taskId: task.id } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, bindings, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["dup-1", "dup-2"]);
    expect(await callsFor()).toBe(1);
    const after = (await (await call(`/v1/tasks/${task.id}`, { key: u.key })).json()) as Task;
    expect(after).toEqual(done);
  });

  it("ends a poison task failed with the reason after the bounded attempts", async () => {
    const u = await userWithKey();
    const task = (await (await submit(u.key, "boom [sim:fault=500]")).json()) as Task;
    // Drive the runs directly instead of waiting out the retry back-off.
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const t = (await (await call(`/v1/tasks/${task.id}`, { key: u.key })).json()) as Task;
      if (terminal(t)) break;
      outcomes.push(await runTask(bindings, task.id));
    }
    const failed = await waitFor(u.key, task.id, terminal);
    expect(failed.status).toBe("failed");
    expect(failed.attempts).toBe(3);
    expect(failed.error?.code).toBe("upstream_error");
    expect(failed.error?.message).toMatch(/failed/);
  });

  it("fails a task at once when the upstream judges the request itself bad", async () => {
    const u = await userWithKey();
    const task = (await (await submit(u.key, "x [sim:fault=bogus]")).json()) as Task;
    const done = await waitFor(u.key, task.id, terminal);
    expect(done.status).toBe("failed");
    expect(done.attempts).toBe(1);
    expect(done.error?.code).toBe("upstream_bad_request");
  });

  it("expires a task whose deadline passed before it ran", async () => {
    const u = await userWithKey();
    const task = (await (await submit(u.key, "late", { deadline: new Date(Date.now() + 60_000).toISOString() })).json()) as Task;
    await waitFor(u.key, task.id, terminal);
    // Held by "another runner" so a draining consumer leaves it to this test.
    const id = await insertTask(u.id, { status: "queued", deadline: Date.now() - 1, leaseUntil: Date.now() + 60_000, runId: "hold:elsewhere" });
    expect(await runTask(bindings, id)).toBe("expired");
    const t = (await (await call(`/v1/tasks/${id}`, { key: u.key })).json()) as Task;
    expect(t.status).toBe("expired");
    expect(t.error?.code).toBe("deadline_exceeded");
  });

  it("the sweeper frees a task whose run died (its claim lapsed), wakes a consumer, and the task completes", async () => {
    const u = await userWithKey();
    // A run that claimed the task and died: status running, its claim lapsed, no message anywhere.
    const id = await insertTask(u.id, { status: "running", deadline: Date.now() + 3600_000, leaseUntil: Date.now() - 1000, runId: "dead-run" });
    const sweeper = taskSweeper(bindings);
    await sweeper.arm();
    // Fire the alarm as the runtime would.
    expect(await runDurableObjectAlarm(sweeper)).toBe(true);
    const done = await waitFor(u.key, id, terminal);
    expect(done.status).toBe("succeeded");
  });

  it("records dead-lettered wake-ups for operators without failing their tasks (the sweeper wakes them again)", async () => {
    const u = await userWithKey();
    // Not due for an hour, so no draining consumer takes it.
    const id = await insertTask(u.id, { status: "queued", deadline: Date.now() + 7200_000, leaseUntil: Date.now() + 60_000, availableAt: Date.now() + 3600_000 });
    const batch = createMessageBatch("gateway-tasks-dlq", [{ id: "dead-1", timestamp: new Date(), attempts: 11, body: { taskId: id } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, bindings, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["dead-1"]);
    const row = await env.DB.prepare("select * from dead_letters where id = 'dead-1'").first<{ task_id: string; attempts: number }>();
    expect(row).toMatchObject({ task_id: id, attempts: 11 });
    expect(((await (await call(`/v1/tasks/${id}`, { key: u.key })).json()) as Task).status).toBe("queued");
    await call(`/v1/tasks/${id}`, { method: "DELETE", key: u.key });
  });
});

describe("retries", () => {
  /** A task row for `model`, not due for an hour so no consumer takes it: the test drives its runs. */
  const parked = (ownerId: string, content: string, extra: { deadline?: number; error?: unknown } = {}) =>
    insertTask(ownerId, { status: "queued", deadline: extra.deadline ?? Date.now() + 3600_000, leaseUntil: 0, availableAt: Date.now() + 3600_000, messages: [{ role: "user", content }], error: extra.error });

  it("backs off from capacity refusals with jitter, never sooner than Retry-After, and ends failed with the last upstream error at the bound", async () => {
    const u = await userWithKey();
    const limited = { ...bindings, TASK_MAX_CAPACITY_RETRIES: "4" } as Bindings;
    const ids = await Promise.all(Array.from({ length: 6 }, () => parked(u.id, "busy [sim:fault=503]")));
    const waits: number[][] = ids.map(() => []);
    for (let round = 0; round < 4; round++) {
      for (const [i, id] of ids.entries()) {
        expect(await runTask(limited, id)).toBe("retry_later");
        const r = await env.DB.prepare("select available_at, updated_at, capacity_retries, attempts from tasks where id = ?").bind(id).first<{ available_at: number; updated_at: number; capacity_retries: number; attempts: number }>();
        expect(r).toMatchObject({ capacity_retries: round + 1, attempts: round + 1 });
        waits[i]!.push(r!.available_at - r!.updated_at);
      }
    }
    // Tasks refused together do not come back together, and none sooner than the simulator's Retry-After (1 s).
    const last = waits.map((w) => w.at(-1)!);
    expect(new Set(last).size).toBeGreaterThan(1);
    expect(waits.flat().every((w) => w >= 1000)).toBe(true);
    expect(Math.max(...last)).toBeLessThanOrEqual(8_000);
    // The fifth refusal is past the bound: failed, with what the upstream said.
    expect(await runTask(limited, ids[0]!)).toBe("failed");
    const t = (await (await call(`/v1/tasks/${ids[0]}`, { key: u.key })).json()) as Task & { capacity_retries: number };
    expect(t).toMatchObject({ status: "failed", attempts: 5, capacity_retries: 5, error: { code: "upstream_unavailable" } });
    expect(t.error?.message).toMatch(/gave up after 5 capacity refusals.*unavailable/);
    for (const id of ids.slice(1)) await call(`/v1/tasks/${id}`, { method: "DELETE", key: u.key });
  });

  it("keeps the last upstream error when a task expires", async () => {
    const u = await userWithKey();
    const lastError = { message: "provider 'sim' is unavailable: overloaded", type: "upstream_error", code: "upstream_unavailable" };
    const id = await parked(u.id, "x", { deadline: Date.now() - 1, error: lastError });
    expect(await runTask(bindings, id)).toBe("expired");
    const t = (await (await call(`/v1/tasks/${id}`, { key: u.key })).json()) as Task & { error: { last_error: unknown } };
    expect(t.status).toBe("expired");
    expect(t.error).toMatchObject({ code: "deadline_exceeded", last_error: lastError });
  });

  it("puts off, without counting, a try the gateway cannot make for a reason of its own, and runs it once fixed", async () => {
    // Made while its key's secret was set; the secret is gone by the time the task runs.
    const made = await callWith({ KEYLESS_KEY: "sk-sim-test" }, "/api/providers", { method: "POST", key: ADMIN, json: { name: "keyless", type: "openai-compatible", base_url: `${simUrl()}/v1`, api_key: "${KEYLESS_KEY}", limits: { max_concurrency: 2 }, models: ["keyless-model"] } });
    expect(made.status).toBe(201);
    const u = await userWithKey();
    const id = await insertTask(u.id, { status: "queued", deadline: Date.now() + 3600_000, leaseUntil: 0, availableAt: Date.now() + 3600_000, model: "keyless-model" });
    for (let i = 0; i < 4; i++) expect(await runTask(bindings, id)).toBe("retry_later");
    const waiting = (await (await call(`/v1/tasks/${id}`, { key: u.key })).json()) as Task;
    // No try spent, and the task's owner sees why it waits, without the secret's name.
    expect(waiting).toMatchObject({ status: "queued", attempts: 0, error: { code: "provider_key_missing" } });
    expect(waiting.error?.message).not.toContain("KEYLESS_KEY");
    // The operator sets the secret again: the task runs.
    expect(await runTask({ ...bindings, KEYLESS_KEY: "sk-sim-test" } as Bindings, id)).toBe("succeeded");
  });

  it("counts a run that dies with its invocation as a try, so a task that keeps killing it ends failed", async () => {
    const u = await userWithKey();
    // Its third run stopped mid-call: the claim lapsed with the task still running.
    const id = await insertTask(u.id, { status: "running", deadline: Date.now() + 3600_000, leaseUntil: Date.now() - 1000, runId: "dead-run", attempts: 2 });
    const sweeper = taskSweeper(bindings);
    await sweeper.arm();
    expect(await runDurableObjectAlarm(sweeper)).toBe(true);
    const t = (await (await call(`/v1/tasks/${id}`, { key: u.key })).json()) as Task;
    expect(t).toMatchObject({ status: "failed", attempts: 3, error: { code: "run_lost" } });
  });

  it("does not count a failed try twice when a later step of the same try breaks", async () => {
    const u = await userWithKey();
    const id = await insertTask(u.id, { status: "queued", deadline: Date.now() + 3600_000, leaseUntil: 0, availableAt: Date.now() + 3600_000, messages: [{ role: "user", content: "x [sim:fault=500]" }] });
    const brokenQueue = { send: () => Promise.reject(new Error("queue unavailable")), sendBatch: () => Promise.reject(new Error("queue unavailable")) } as unknown as Queue;
    expect(await runTask({ ...bindings, TASK_QUEUE: brokenQueue } as Bindings, id)).toBe("retry_later");
    const t = (await (await call(`/v1/tasks/${id}`, { key: u.key })).json()) as Task;
    expect(t).toMatchObject({ status: "queued", attempts: 1 });
    await call(`/v1/tasks/${id}`, { method: "DELETE", key: u.key });
  });

  it("does not run the task of a user disabled after submitting it", async () => {
    const u = await userWithKey();
    const id = await insertTask(u.id, { status: "queued", deadline: Date.now() + 3600_000, leaseUntil: 0, availableAt: Date.now() + 3600_000 });
    // Disabled behind the admin API's back, as another isolate's stale cache would let a task in.
    await env.DB.prepare("update users set disabled_at = ? where id = ?").bind(Date.now(), u.id).run();
    const before = (await simStats()).requests;
    expect(await runTask(bindings, id)).toBe("cancelled");
    expect((await simStats()).requests).toBe(before);
    expect((await env.DB.prepare("select status from tasks where id = ?").bind(id).first<{ status: string }>())?.status).toBe("cancelled");
  });
});

describe("fair share", () => {
  it("takes turns between tenants at a concurrency of one", async () => {
    await call("/api/providers", { method: "POST", key: ADMIN, json: { name: "narrow1", type: "openai-compatible", base_url: `${simUrl()}/v1`, api_key: "sk-sim-test", limits: { max_concurrency: 1 }, models: ["narrow1-model"] } });
    const a = await userWithKey();
    const b = await userWithKey();
    const submitTo = (key: string, i: number) => call("/v1/tasks", { method: "POST", key, json: { model: "narrow1-model", messages: [{ role: "user", content: `fair ${i} [sim:latency=150]` }] } }).then(async (r) => ((await r.json()) as Task).id);
    const aIds: string[] = [];
    for (let i = 0; i < 6; i++) aIds.push(await submitTo(a.key, i));
    const bIds = [await submitTo(b.key, 0), await submitTo(b.key, 1)];
    for (const [key, id] of [...aIds.map((id) => [a.key, id]), ...bIds.map((id) => [b.key, id])] as [string, string][]) {
      expect((await waitFor(key, id, terminal)).status).toBe("succeeded");
    }
    const rows = await env.DB.prepare(`select id, owner_id from tasks where id in (${[...aIds, ...bIds].map(() => "?").join(",")}) order by started_at`).bind(...aIds, ...bIds).all<{ id: string; owner_id: string }>();
    const order = rows.results.map((r) => (r.owner_id === b.id ? "b" : "a"));
    // Tenant b's two tasks do not wait behind all six of a's: both start among the first four.
    expect(order.slice(0, 4).filter((x) => x === "b")).toHaveLength(2);
  });
});

describe("preemption end to end", () => {
  it("a realtime call on a full provider preempts a running task, which then completes anyway", async () => {
    await call("/api/providers", { method: "POST", key: ADMIN, json: { name: "solo", type: "openai-compatible", base_url: `${simUrl()}/v1`, api_key: "sk-sim-test", limits: { max_concurrency: 1 }, models: ["solo-model"] } });
    const u = await userWithKey();
    // The first run holds the only slot for a long time; the re-run after preemption is quick.
    const task = (await (await call("/v1/tasks", { method: "POST", key: u.key, json: { model: "solo-model", messages: [{ role: "user", content: "long [sim:latency=1500]" }] } })).json()) as Task;
    await waitFor(u.key, task.id, (t) => t.status === "running");
    const started = Date.now();
    const realtime = await call("/v1/chat/completions", { method: "POST", key: u.key, json: { model: "solo-model", messages: [{ role: "user", content: "now" }] } });
    expect(realtime.status).toBe(200);
    // The realtime call did not wait for the task's 1.5 s call to finish.
    expect(Date.now() - started).toBeLessThan(1400);
    const done = await waitFor(u.key, task.id, terminal);
    expect(done.status).toBe("succeeded");
    expect(done.preemptions).toBeGreaterThanOrEqual(1);
    expect(done.attempts).toBe(1);
    const status = (await (await call("/api/status", { key: ADMIN })).json()) as { data: { provider: string; deployments: { preemptions: number }[] }[] };
    expect(status.data.find((p) => p.provider === "solo")?.deployments[0]?.preemptions).toBeGreaterThanOrEqual(1);
  });
});

describe("synchronous task lane and seed 000's /api/request/", () => {
  it("serves service_tier flex and X-Request-Class: task as task-lane calls", async () => {
    const u = await userWithKey();
    const flex = await call("/v1/chat/completions", { method: "POST", key: u.key, json: { model: "sim-small", service_tier: "flex", messages: [{ role: "user", content: "x" }] } });
    expect(flex.status).toBe(200);
    expect(((await flex.json()) as { object: string }).object).toBe("chat.completion");
    const header = await call("/v1/chat/completions", { method: "POST", key: u.key, headers: { "x-request-class": "task" }, json: { model: "sim-small", messages: [{ role: "user", content: "x" }] } });
    expect(header.status).toBe(200);
    const streamed = await call("/v1/chat/completions", { method: "POST", key: u.key, json: { model: "sim-small", service_tier: "flex", stream: true, messages: [{ role: "user", content: "x" }] } });
    expect(streamed.status).toBe(400);
    let lanes: string[] = [];
    for (let i = 0; i < 50 && lanes.length < 2; i++) {
      lanes = ((await (await call("/api/logs", { key: u.key })).json()) as { data: { lane: string }[] }).data.map((l) => l.lane);
      await scheduler.wait(20);
    }
    expect(lanes).toEqual(["task", "task"]);
  });

  it("maps request_type realtime to a completion and task to a queued task", async () => {
    const u = await userWithKey();
    const rt = await call("/api/request/", { method: "POST", key: u.key, json: { model: "sim-small", prompt: "Hello, world!", request_type: "realtime" } });
    expect(rt.status).toBe(200);
    expect(((await rt.json()) as { object: string }).object).toBe("chat.completion");
    const tk = await call("/api/request/", { method: "POST", key: u.key, json: { model: "sim-small", prompt: "Generate a report", request_type: "task" } });
    expect(tk.status).toBe(202);
    const t = (await tk.json()) as Task;
    expect((await waitFor(u.key, t.id, terminal)).status).toBe("succeeded");
    const bad = await call("/api/request/", { method: "POST", key: u.key, json: { model: "sim-small", request_type: "task" } });
    expect(bad.status).toBe(400);
  });
});

describe("GET /api/status", () => {
  it("shows each provider's lanes, limits and task counts to admins only", async () => {
    await simReset();
    const u = await userWithKey();
    expect((await call("/api/status", { key: u.key })).status).toBe(403);
    const res = await call("/api/status", { key: ADMIN });
    const body = (await res.json()) as { data: Record<string, unknown>[] };
    const sim = body.data.find((p) => p.provider === "sim") as { deployments: Record<string, unknown>[] };
    expect(sim).toMatchObject({ provider: "sim", realtime_in_flight: 0, task_in_flight: 0, tasks: { queued: 0, running: 0 }, upstream_429: 0 });
    const small = sim.deployments.find((d) => d.model === "sim-small");
    expect(small).toMatchObject({ id: "sim/default/sim-small", max_concurrency: 4, realtime_in_flight: 0, health: "healthy", breaker: { state: "closed" } });
    expect(small).toHaveProperty("task_limit");
    expect(small).toHaveProperty("reserve");

    // The lanes move while calls run.
    const slow = call("/v1/chat/completions", { method: "POST", key: u.key, json: { model: "sim-small", messages: [{ role: "user", content: "x [sim:latency=800]" }] } });
    let seen = 0;
    for (let i = 0; i < 100 && seen === 0; i++) {
      const s = (await (await call("/api/status", { key: ADMIN })).json()) as { data: { provider: string; realtime_in_flight: number }[] };
      seen = s.data.find((p) => p.provider === "sim")!.realtime_in_flight;
      await scheduler.wait(10);
    }
    expect(seen).toBe(1);
    expect((await slow).status).toBe(200);
  });
});
