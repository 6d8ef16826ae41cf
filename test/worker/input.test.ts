import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env.ts";
import { runTask } from "../../src/tasks/run-task.ts";
import { ADMIN, adminKey, call, simRequests, simUrl } from "./helpers.ts";

/** A chat body whose message carries a field nested `depth` levels (about 30 KB at 5,000). */
function deepBody(depth: number): string {
  return `{"model":"sim-small","messages":[{"role":"user","content":"hi","extra":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}]}`;
}

const errorOf = async (res: Response) => ((await res.json()) as { error: { param: string | null; code: string; message: string } }).error;

describe("deeply nested bodies", () => {
  it("answers 400 naming the field on chat completions and tasks, never 500, and queues no task", async () => {
    const key = await adminKey();
    for (const path of ["/v1/chat/completions", "/v1/tasks", "/v1/embeddings", "/api/request/"]) {
      const res = await call(path, { method: "POST", key, headers: { "content-type": "application/json" }, body: deepBody(5_000) });
      expect(res.status, path).toBe(400);
      expect(await errorOf(res)).toMatchObject({ param: "messages.0.extra", code: "too_deep" });
    }
    const queued = await env.DB.prepare("select count(*) n from tasks where request like '%\"extra\"%'").first<{ n: number }>();
    expect(queued?.n).toBe(0);
  });

  it("ends a stored task that can never run failed with the reason, instead of leaving it queued", async () => {
    const now = Date.now();
    const insert = async (request: string) => {
      const id = `task_bad_${crypto.randomUUID()}`;
      await env.DB.prepare("insert into tasks (id, owner_id, model, provider, status, request, deadline, lease_until, created_at, updated_at) values (?, 'root', 'sim-small', 'sim', 'queued', ?, ?, ?, ?, ?)")
        .bind(id, request, now + 3600_000, now + 600_000, now, now)
        .run();
      return id;
    };
    const deep = await insert(JSON.parse(JSON.stringify(deepBody(5_000))));
    const noMessages = await insert(JSON.stringify({ model: "sim-small" }));
    for (const id of [deep, noMessages]) {
      expect(await runTask(env as unknown as Bindings, id)).toBe("failed");
      const row = await env.DB.prepare("select status, error from tasks where id = ?").bind(id).first<{ status: string; error: string }>();
      expect(row?.status).toBe("failed");
      expect(JSON.parse(row!.error)).toMatchObject({ code: "invalid_task" });
    }
  });
});

describe("unknown fields on the gateway's own endpoints", () => {
  it("refuses provider fields it does not implement, naming each", async () => {
    const base = { name: "strict1", type: "openai-compatible", base_url: `${simUrl()}/v1`, api_key: "sk-sim-test", limits: { max_concurrency: 2 }, models: ["strict1-model"] };
    for (const field of ["param_overrides", "weight", "fallback", "headers", "auth"]) {
      const res = await call("/api/providers", { method: "POST", key: ADMIN, json: { ...base, [field]: { x: 1 } } });
      expect(res.status, field).toBe(400);
      expect(await errorOf(res)).toMatchObject({ param: field, code: "unknown_field" });
    }
    const nested = await call("/api/providers", { method: "POST", key: ADMIN, json: { ...base, limits: { max_concurrency: 2, burst: 5 } } });
    expect((await errorOf(nested)).param).toBe("limits.burst");
    const model = await call("/api/providers", { method: "POST", key: ADMIN, json: { ...base, models: [{ name: "m", weight: 2, fallback: "other" }] } });
    expect((await errorOf(model)).param).toBe("models.0.fallback");
    expect((await call("/api/providers/strict1", { key: ADMIN })).status).toBe(404);
  });

  it("refuses key fields it does not know, and a key 'expired in 2020' is never made", async () => {
    for (const [field, value] of [["budget_usd", 0.01], ["rate_limit", 1], ["expires_at", "2020-01-01T00:00:00Z"]] as const) {
      const res = await call("/api/keys", { method: "POST", key: ADMIN, json: { name: "limited", [field]: value } });
      expect(res.status, field).toBe(400);
      expect((await errorOf(res)).param).toBe(field);
    }
  });

  it("refuses unknown fields on account endpoints, the legacy request and list filters", async () => {
    const register = await call("/api/auth/register", { method: "POST", json: { username: "extra1", email: "extra1@example.com", password: "password123", is_admin: true } });
    expect((await errorOf(register)).param).toBe("is_admin");
    const token = await call("/api/auth/token", { method: "POST", body: new URLSearchParams({ username: "x", password: "y", remember: "1" }) });
    expect(token.status).toBe(400);
    // The OAuth2 password grant's own fields are accepted when they carry nothing the gateway would ignore.
    const grant = await call("/api/auth/token", { method: "POST", body: new URLSearchParams({ grant_type: "password", username: "extra-nobody", password: "y", scope: "" }) });
    expect(grant.status).toBe(401);
    expect((await call("/api/auth/token", { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", username: "x", password: "y" }) })).status).toBe(400);
    const key = await adminKey();
    const legacy = await call("/api/request/", { method: "POST", key, json: { model: "sim-small", prompt: "hi", request_type: "realtime", model_config_id: 1 } });
    expect((await errorOf(legacy)).param).toBe("model_config_id");
    expect((await errorOf(await call("/api/logs?modle=sim-small", { key }))).param).toBe("modle");
    expect((await call("/v1/tasks?state=queued", { key })).status).toBe(400);
  });
});

describe("gateway-only fields", () => {
  it("forwards unknown chat fields (provider extensions) but never the gateway's own", async () => {
    const key = await adminKey();
    const marker = `ext-${crypto.randomUUID()}`;
    const res = await call("/v1/chat/completions", { method: "POST", key, json: { model: "sim-small", messages: [{ role: "user", content: marker }], user: "u-1", x_vendor_option: { a: 1 } } });
    expect(res.status).toBe(200);
    const sent = (await simRequests()).find((b) => JSON.stringify(b).includes(marker))!;
    expect(sent).toMatchObject({ user: "u-1", x_vendor_option: { a: 1 } });

    const flexMarker = `flex-${crypto.randomUUID()}`;
    const deadline = new Date(Date.now() + 600_000).toISOString();
    const flex = await call("/v1/chat/completions", { method: "POST", key, json: { model: "sim-small", service_tier: "flex", deadline, messages: [{ role: "user", content: flexMarker }] } });
    expect(flex.status).toBe(200);
    const flexSent = (await simRequests()).find((b) => JSON.stringify(b).includes(flexMarker))!;
    expect(flexSent).not.toHaveProperty("deadline");
    expect(flexSent).not.toHaveProperty("service_tier");
  });

  it("keeps a task's deadline and metadata out of its upstream call", async () => {
    const key = await adminKey();
    const marker = `task-${crypto.randomUUID()}`;
    const res = await call("/v1/tasks", { method: "POST", key, json: { model: "sim-small", messages: [{ role: "user", content: marker }], deadline: new Date(Date.now() + 600_000).toISOString(), metadata: { job: "nightly" } } });
    expect(res.status).toBe(202);
    let sent: Record<string, unknown> | undefined;
    for (let i = 0; i < 200 && !sent; i++) {
      sent = (await simRequests()).find((b) => JSON.stringify(b).includes(marker));
      if (!sent) await scheduler.wait(20);
    }
    expect(sent).toBeDefined();
    expect(sent).not.toHaveProperty("deadline");
    expect(sent).not.toHaveProperty("metadata");
  });

  it("refuses a deadline on a realtime call, and webhook_url until task webhooks exist", async () => {
    const key = await adminKey();
    const deadline = new Date(Date.now() + 600_000).toISOString();
    const realtime = await call("/v1/chat/completions", { method: "POST", key, json: { model: "sim-small", deadline, messages: [{ role: "user", content: "x" }] } });
    expect(await errorOf(realtime)).toMatchObject({ param: "deadline", code: "unsupported_parameter" });
    const legacy = await call("/api/request/", { method: "POST", key, json: { model: "sim-small", prompt: "x", request_type: "realtime", deadline } });
    expect((await errorOf(legacy)).param).toBe("deadline");
    const embed = await call("/v1/embeddings", { method: "POST", key, json: { model: "sim-small", input: "x", deadline } });
    expect(await errorOf(embed)).toMatchObject({ param: "deadline" });
    const hook = await call("/v1/tasks", { method: "POST", key, json: { model: "sim-small", messages: [{ role: "user", content: "x" }], webhook_url: "https://example.com/hook" } });
    expect(hook.status).toBe(400);
    expect((await errorOf(hook)).param).toBe("webhook_url");
  });
});
