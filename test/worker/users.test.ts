import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, call, chat, randomAddress, userWithKey } from "./helpers.ts";

async function usernameOf(id: string): Promise<string> {
  const users = (await (await call("/api/users", { key: ADMIN })).json()) as { data: { id: string; username: string }[] };
  return users.data.find((u) => u.id === id)!.username;
}

/** A queued task of the user's, held by "another runner" so no consumer runs it during the test. */
async function openTask(ownerId: string): Promise<string> {
  const id = `task_users_${crypto.randomUUID()}`;
  const now = Date.now();
  await env.DB.prepare("insert into tasks (id, owner_id, model, provider, status, request, deadline, lease_until, run_id, created_at, updated_at) values (?, ?, 'sim-small', 'sim', 'queued', ?, ?, ?, 'hold:elsewhere', ?, ?)")
    .bind(id, ownerId, JSON.stringify({ model: "sim-small", messages: [{ role: "user", content: "x" }] }), now + 3600_000, now + 600_000, now, now)
    .run();
  return id;
}

const taskStatus = async (id: string) => (await env.DB.prepare("select status from tasks where id = ?").bind(id).first<{ status: string }>())?.status;

describe("disabling and deleting users", () => {
  it("disabling ends the user's token and keys at once, refuses their login, and cancels their open tasks", async () => {
    const u = await userWithKey();
    const name = await usernameOf(u.id);
    const task = await openTask(u.id);
    expect((await chat(u.key)).status).toBe(200);
    expect((await call("/v1/models", { key: u.token })).status).toBe(200);

    const res = await call(`/api/users/${u.id}`, { method: "PATCH", key: ADMIN, json: { disabled: true } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { disabled_at: number | null }).disabled_at).toBeGreaterThan(0);
    // No waiting for a cache: the very next request is refused.
    expect((await chat(u.key)).status).toBe(401);
    expect((await call("/v1/models", { key: u.token })).status).toBe(401);
    const login = await call("/api/auth/token", { method: "POST", client: randomAddress(), body: new URLSearchParams({ username: name, password: "correct horse battery" }) });
    expect(login.status).toBe(403);
    expect(((await login.json()) as { error: { code: string } }).error.code).toBe("account_disabled");
    expect(await taskStatus(task)).toBe("cancelled");

    // Enabled again, they can sign in; their old keys stay revoked.
    expect((await call(`/api/users/${u.id}`, { method: "PATCH", key: ADMIN, json: { disabled: false } })).status).toBe(200);
    const again = await call("/api/auth/token", { method: "POST", client: randomAddress(), body: new URLSearchParams({ username: name, password: "correct horse battery" }) });
    expect(again.status).toBe(200);
    expect((await chat(u.key)).status).toBe(401);
  });

  it("deleting ends the user's token and keys at once and cancels their open tasks; a second delete is 404", async () => {
    const u = await userWithKey();
    const task = await openTask(u.id);
    expect((await chat(u.key)).status).toBe(200);
    const res = await call(`/api/users/${u.id}`, { method: "DELETE", key: ADMIN });
    expect(res.status).toBe(200);
    expect((await chat(u.key)).status).toBe(401);
    expect((await call("/v1/models", { key: u.token })).status).toBe(401);
    expect(await taskStatus(task)).toBe("cancelled");
    expect((await env.DB.prepare("select count(*) n from api_keys where user_id = ?").bind(u.id).first<{ n: number }>())?.n).toBe(0);
    expect((await call(`/api/users/${u.id}`, { method: "DELETE", key: ADMIN })).status).toBe(404);
  });

  it("is for admins, and validates: unknown fields and empty patches are 400", async () => {
    const u = await userWithKey();
    const other = await userWithKey();
    expect((await call(`/api/users/${other.id}`, { method: "DELETE", key: u.token })).status).toBe(403);
    const unknown = await call(`/api/users/${u.id}`, { method: "PATCH", key: ADMIN, json: { disabled: true, reason: "left" } });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { param: string } }).error.param).toBe("reason");
    expect((await call(`/api/users/${u.id}`, { method: "PATCH", key: ADMIN, json: {} })).status).toBe(400);
    expect((await call(`/api/users/${u.id}`, { method: "PATCH", key: ADMIN, json: { disabled: "yes" } })).status).toBe(400);
  });
});
