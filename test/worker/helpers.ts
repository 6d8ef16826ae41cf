/** Helpers for workerd tests: call the Worker, read the simulator's counters, make users and keys. */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { inject } from "vitest";
import worker from "../../src/index.ts";
import type { Bindings } from "../../src/env.ts";

export const ADMIN = "sk-admin-test-0123456789abcdefghij";

/** A random client address: each test file is one client to the failed-credential limiter. */
export function randomAddress(): string {
  const b = crypto.getRandomValues(new Uint8Array(4));
  return `203.${b[1]}.${b[2]}.${b[3]}`;
}
const CLIENT = randomAddress();

type CallInit = RequestInit & { key?: string; json?: unknown; client?: string };

function request(path: string, init: CallInit): Request {
  const headers = new Headers(init.headers);
  if (init.key) headers.set("authorization", `Bearer ${init.key}`);
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", init.client ?? CLIENT);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  return new Request(`http://gateway.test${path}`, { ...init, headers, body });
}

/** Sends a request to the Worker under test. */
export function call(path: string, init: CallInit = {}): Promise<Response> {
  return exports.default.fetch(request(path, init));
}

/** Sends a request to the Worker with some settings changed (e.g. the production defaults). */
export async function callWith(settings: Record<string, string | undefined>, path: string, init: CallInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const incoming = request(path, init) as Request<unknown, IncomingRequestCfProperties>;
  const res = await worker.fetch(incoming, { ...(env as unknown as Bindings), ...settings } as Bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/**
 * Request-log rows (admin view) for a query string, once `ready` holds: rows are written in
 * batches after the response, so this polls briefly (2 s at most) and returns what it has then.
 */
export async function logRows(query: string, ready: (rows: Record<string, any>[]) => boolean): Promise<Record<string, any>[]> {
  let rows: Record<string, any>[] = [];
  for (let i = 0; i < 100; i++) {
    rows = ((await (await call(`/api/logs?${query}`, { key: ADMIN })).json()) as { data: Record<string, any>[] }).data;
    if (ready(rows)) return rows;
    await scheduler.wait(20);
  }
  return rows;
}

/** The chat request bodies the simulator received recently, oldest first. */
export async function simRequests(): Promise<Record<string, unknown>[]> {
  return ((await (await fetch(`${simUrl()}/sim/requests`)).json()) as { data: Record<string, unknown>[] }).data;
}

export function simUrl(): string {
  return inject("simUrl");
}

export async function simStats(): Promise<{ inFlight: number; maxInFlight: number; requests: number; rejected429: number; aborted: number; unauthorized: number }> {
  return (await fetch(`${simUrl()}/sim/stats`)).json();
}

export async function simReset(): Promise<void> {
  await fetch(`${simUrl()}/sim/reset`, { method: "POST" });
}

export async function simConfigure(patch: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${simUrl()}/sim/config`, { method: "POST", body: JSON.stringify(patch), headers: { "content-type": "application/json" } });
  if (!res.ok) throw new Error(`sim config failed: ${await res.text()}`);
}

/** A fresh API key made with the root credential. */
export async function adminKey(): Promise<string> {
  const res = await call("/api/keys", { method: "POST", key: ADMIN, json: { name: "test" } });
  return ((await res.json()) as { key: string }).key;
}

/** Registers a user and returns a JWT and an API key for them. */
export async function userWithKey(name = `u${crypto.randomUUID().slice(0, 8)}`): Promise<{ id: string; token: string; key: string }> {
  const reg = await call("/api/auth/register", { method: "POST", json: { username: name, email: `${name}@example.com`, password: "correct horse battery" } });
  const { id } = (await reg.json()) as { id: string };
  const tok = await call("/api/auth/token", { method: "POST", body: new URLSearchParams({ username: name, password: "correct horse battery" }) });
  const { access_token } = (await tok.json()) as { access_token: string };
  const keyRes = await call("/api/keys", { method: "POST", key: access_token, json: { name: "mine" } });
  const { key } = (await keyRes.json()) as { key: string };
  return { id, token: access_token, key };
}

export function chat(key: string, content = "hello", extra: Record<string, unknown> = {}) {
  return call("/v1/chat/completions", { method: "POST", key, json: { model: "sim-small", messages: [{ role: "user", content }], ...extra } });
}

/** The governor of a model's first deployment (governors are named by a digest of address, key and model). */
export async function governorOfModel(model: string) {
  const { routeTable } = await import("../../src/routing/route-table.ts");
  const { governorFor } = await import("../../src/scheduler/lease.ts");
  const bindings = env as unknown as import("../../src/env.ts").Bindings;
  const d = (await routeTable(bindings)).shared.get(model)?.[0];
  if (!d) throw new Error(`no deployment of ${model}`);
  return { governor: governorFor(bindings, d.governor), limits: d.provider.limits, deployment: d };
}
