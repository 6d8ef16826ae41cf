// End to end: a task flood and realtime traffic together on one capped simulated provider,
// through wrangler dev, with the official openai client for the realtime calls.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, stackKey, STACK_ADMIN_KEY, type Stack } from "../../scripts/dev-stack.ts";

const CAP = 4;
let stack: Stack;
let key: string;

beforeAll(async () => {
  stack = await startStack({ sim: { maxConcurrency: CAP, ttftMs: 150, tokensPerSecond: 2000, outputTokens: 4 }, limits: { max_concurrency: CAP } });
  key = await stackKey(stack, "flood");
});

afterAll(async () => {
  await stack?.stop();
});

describe("a task flood with realtime traffic", () => {
  it("runs every task, answers every realtime call, and never exceeds the provider's cap", async () => {
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const ids = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const res = await fetch(`${stack.url}/v1/tasks`, { method: "POST", headers, body: JSON.stringify({ model: "sim-small", messages: [{ role: "user", content: `task ${i}` }] }) });
        expect(res.status).toBe(202);
        return ((await res.json()) as { id: string }).id;
      }),
    );
    const client = new OpenAI({ apiKey: key, baseURL: `${stack.url}/v1`, maxRetries: 0 });
    // Realtime calls arrive one after another while the tasks run.
    const realtime: string[] = [];
    for (let i = 0; i < 12; i++) {
      const c = await client.chat.completions.create({ model: "sim-small", messages: [{ role: "user", content: `rt ${i}` }] });
      realtime.push(c.object);
    }
    expect(realtime).toEqual(Array(12).fill("chat.completion"));

    let statuses: string[] = [];
    for (let i = 0; i < 300; i++) {
      statuses = await Promise.all(ids.map(async (id) => ((await (await fetch(`${stack.url}/v1/tasks/${id}`, { headers })).json()) as { status: string }).status));
      if (statuses.every((s) => s === "succeeded" || s === "failed")) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(statuses).toEqual(Array(40).fill("succeeded"));
    const sim = stack.sim.stats();
    expect(sim.maxInFlight).toBeLessThanOrEqual(CAP);
    expect(sim.rejected429).toBe(0);
    type Deployment = { model: string; granted: { realtime: number; task: number }; upstream_429: number };
    // Calls admitted into a capacity share reach the governor's counts with the isolate's next
    // report (about a second after its calls stop): read until they have, briefly.
    let small!: Deployment;
    for (let i = 0; i < 50; i++) {
      const status = (await (await fetch(`${stack.url}/api/status`, { headers: { authorization: `Bearer ${STACK_ADMIN_KEY}` } })).json()) as { data: { provider: string; deployments: Deployment[] }[] };
      small = status.data.find((p) => p.provider === "sim")!.deployments.find((d) => d.model === "sim-small")!;
      if (small.granted.realtime >= 12) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(small.granted.realtime).toBe(12);
    expect(small.granted.task).toBeGreaterThanOrEqual(40);
    expect(small.upstream_429).toBe(0);
  });
});
