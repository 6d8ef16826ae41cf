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

  it("rejects a bad filter with 400", async () => {
    expect((await call("/api/logs?lane=batch", { key: ADMIN })).status).toBe(400);
  });
});
