import { describe, expect, it } from "vitest";
import recorded from "../providers/openai/__fixtures__/chat-tools.chunks.txt?raw";
import { parseSse } from "../core/sse.ts";
import { OpenAIPassthrough } from "./relay-handlers.ts";
import { relaySse, type RelaySummary } from "./sse-relay.ts";

const fixture = new TextEncoder().encode(recorded);
const crlf = new TextEncoder().encode(recorded.replace(/\n/g, "\r\n"));

/** Relays `chunks` as an upstream body; returns the client's events and the summary. */
async function relay(chunks: Uint8Array[], options: { publicModel?: string; clientWantsUsage?: boolean } = {}) {
  const upstream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
  let summary: RelaySummary | undefined;
  const handler = new OpenAIPassthrough(options.publicModel ?? "gpt-4o-mini-2024-07-18", options.clientWantsUsage ?? true);
  const out = relaySse(upstream, handler, { startedAt: Date.now(), idleTimeoutMs: 5_000, onEnd: (s) => (summary = s) });
  const body = new Uint8Array(await new Response(out).arrayBuffer());
  return { events: parseSse(body).map((e) => e.data), body, summary: summary! };
}

function splitAt(bytes: Uint8Array, ...points: number[]): Uint8Array[] {
  const edges = [0, ...points, bytes.length];
  return edges.slice(1).map((end, i) => bytes.slice(edges[i], end));
}

describe("the OpenAI passthrough relay against a recorded stream (tool calls, CJK, emoji)", () => {
  it("passes a stream that needs no rewrite through byte for byte", async () => {
    const { body, summary } = await relay([fixture]);
    expect(body).toEqual(fixture);
    expect(summary).toMatchObject({ status: 200, usage: { inputTokens: 42, outputTokens: 31, cachedInputTokens: 0 } });
    expect(summary.ttftMs).toBeGreaterThanOrEqual(0);
  });

  it("gives the same events and summary at every split point of the bytes", async () => {
    const whole = await relay([fixture]);
    for (let i = 1; i < fixture.length; i++) {
      const split = await relay(splitAt(fixture, i));
      expect(split.events, `split at byte ${i}`).toEqual(whole.events);
      expect(split.summary.status, `split at byte ${i}`).toBe(200);
    }
  });

  it("handles one byte per chunk (chunks that hold only part of a UTF-8 character)", async () => {
    const whole = await relay([fixture]);
    const oneByOne = await relay([...fixture].map((b) => Uint8Array.of(b)));
    expect(oneByOne.events).toEqual(whole.events);
    expect(oneByOne.summary).toMatchObject({ status: 200, usage: whole.summary.usage });
  });

  it("reads CRLF framing at every split point, including between \\r and \\n", async () => {
    const whole = await relay([fixture]);
    for (let i = 1; i < crlf.length; i++) {
      const split = await relay(splitAt(crlf, i));
      expect(split.events, `CRLF split at byte ${i}`).toEqual(whole.events);
    }
  });

  it("rewrites the model to the public name and hides usage the client did not ask for", async () => {
    const { events } = await relay([fixture], { publicModel: "my-alias", clientWantsUsage: false });
    const chunks = events.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d) as { model: string; usage?: unknown; choices: unknown[] });
    expect(chunks.every((c) => c.model === "my-alias")).toBe(true);
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(chunks.some((c) => c.choices.length === 0)).toBe(false);
    expect(events.at(-1)).toBe("[DONE]");
  });

  it("ends at [DONE]: an upstream that stalls or breaks after it does not turn the call into a failure", async () => {
    let pulls = 0;
    const upstream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(fixture);
        else controller.error(new Error("connection reset after [DONE]"));
      },
    });
    let summary: RelaySummary | undefined;
    const out = relaySse(upstream, new OpenAIPassthrough("gpt-4o-mini-2024-07-18", true), { startedAt: Date.now(), idleTimeoutMs: 5_000, onEnd: (s) => (summary = s) });
    const events = parseSse(new Uint8Array(await new Response(out).arrayBuffer())).map((e) => e.data);
    expect(events.at(-1)).toBe("[DONE]");
    expect(summary?.status).toBe(200);
  });

  it("ends a stream cut before [DONE] with an error event, never a clean close", async () => {
    const cut = new TextEncoder().encode(recorded.slice(0, recorded.indexOf("data: [DONE]")));
    const { events, summary } = await relay([cut]);
    expect(JSON.parse(events.at(-1)!).error.code).toBe("upstream_stream_cut");
    expect(summary.status).toBe(502);
  });
});
