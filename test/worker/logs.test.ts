import { describe, expect, it } from "vitest";
import { ADMIN, call, chat, userWithKey } from "./helpers.ts";

interface Log { user_id: string; model: string; provider: string; lane: string; status: number; latency_ms: number; ttft_ms: number | null; prompt_tokens: number | null; completion_tokens: number | null; stream: boolean; error: string | null }

async function logsFor(key: string, query = ""): Promise<Log[]> {
  // Log rows are written after the response; poll briefly until they land.
  for (let i = 0; i < 100; i++) {
    const res = await call(`/api/logs${query}`, { key });
    const { data } = (await res.json()) as { data: Log[] };
    if (data.length > 0) return data;
    await scheduler.wait(20);
  }
  return [];
}

describe("request logs", () => {
  it("records each call with tokens and timing; users see only their own, admins everyone's", async () => {
    const a = await userWithKey();
    const b = await userWithKey();
    expect((await chat(a.key, "hello there")).status).toBe(200);
    const stream = await chat(b.key, "stream please", { stream: true });
    await stream.text();

    const mine = await logsFor(a.key);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ user_id: a.id, model: "sim-small", provider: "sim", lane: "realtime", status: 200, stream: false });
    expect(mine[0]!.completion_tokens).toBeGreaterThan(0);

    const theirs = await logsFor(b.key);
    expect(theirs).toHaveLength(1);
    expect(theirs[0]).toMatchObject({ user_id: b.id, stream: true, status: 200 });
    expect(theirs[0]!.ttft_ms).not.toBeNull();
    expect(theirs[0]!.prompt_tokens).toBeGreaterThan(0);

    const all = await logsFor(ADMIN, `?user_id=${a.id}`);
    expect(all.every((l) => l.user_id === a.id)).toBe(true);
    // A user's filter on someone else is ignored: still only their own rows.
    const spoof = await logsFor(a.key, `?user_id=${b.id}`);
    expect(spoof.every((l) => l.user_id === a.id)).toBe(true);
  });

  it("records failures with their status and never a provider key", async () => {
    const u = await userWithKey();
    expect((await chat(u.key, "x [sim:fault=500]")).status).toBe(502);
    const rows = await logsFor(u.key, "?status=502");
    expect(rows[0]).toMatchObject({ status: 502 });
    expect(rows[0]!.error).toBeTruthy();
    expect(JSON.stringify(rows)).not.toContain("sk-sim-test");
  });

  it("carries the request's id: the caller's x-request-id, or a new one, in the response, the error body and the log row", async () => {
    const u = await userWithKey();
    const mine = await call("/v1/chat/completions", { method: "POST", key: u.key, headers: { "x-request-id": "trace-42.a" }, json: { model: "sim-small", messages: [{ role: "user", content: "hi" }] } });
    expect(mine.status).toBe(200);
    expect(mine.headers.get("x-request-id")).toBe("trace-42.a");
    const rows = await logsFor(u.key, "?request_id=trace-42.a");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ request_id: "trace-42.a", status: 200 });

    // Not a sane token (spaces, too long): replaced by one of the gateway's.
    const odd = await call("/v1/models", { key: u.key, headers: { "x-request-id": "has spaces" } });
    expect(odd.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
    // Errors in both shapes carry it in the body too; so does a 404 for an unknown route.
    const denied = await call("/v1/models", { key: "sk-gw-wrong", headers: { "x-request-id": "deny-1" } });
    expect(denied.headers.get("x-request-id")).toBe("deny-1");
    expect(((await denied.json()) as { request_id: string }).request_id).toBe("deny-1");
    const anthropic = await call("/v1/messages", { method: "POST", key: u.key, json: { model: "sim-small", messages: [] } });
    const body = (await anthropic.json()) as { type: string; request_id: string };
    expect(body).toMatchObject({ type: "error", request_id: anthropic.headers.get("x-request-id") });
    const missing = await call("/v1/nope", { key: u.key });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { request_id: string }).request_id).toBe(missing.headers.get("x-request-id"));
  });

  it("rejects a bad filter with 400", async () => {
    expect((await call("/api/logs?lane=batch", { key: ADMIN })).status).toBe(400);
  });
});
