// Test helpers shared by the simulator's test files: simulators closed after each test, requests, stream parsing.
import { afterEach } from "vitest";
import type { SimOptions, Simulator } from "./server.ts";
import { startSimulator } from "./server.ts";

/** A parsed JSON value in a test. */
export type Json = Record<string, any>;

/** Registers an afterEach that closes them; returns a starter of fast simulators (ttft 0, no pacing). */
export function simulators(): (opts?: SimOptions) => Promise<Simulator> {
  const running: Simulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.close()));
  });
  return async (opts = {}) => {
    const sim = await startSimulator({ ttftMs: 0, tokensPerSecond: Infinity, ...opts });
    running.push(sim);
    return sim;
  };
}

/** POSTs `body` as JSON to `path` (times out after 8 s unless a signal is given). */
export function post(sim: Simulator, path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: signal ?? AbortSignal.timeout(8000),
  });
}

/** Polls `cond` every 5 ms until it holds; fails after `ms`. */
export async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Reads a body to its end; `failed` is true when the connection broke first. */
export async function readToBreak(res: Response): Promise<{ text: string; failed: boolean }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, failed: false };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, failed: true };
  }
}

/** The `data:` payloads of an SSE text whose events end with `separator` ("\n\n", or "\r\n\r\n" for Gemini). */
export function sseData(text: string, separator = "\n\n"): string[] {
  return text
    .split(separator)
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice("data: ".length));
}

/** Anthropic events of an SSE text: `{event, data}` with data parsed (raw string when it is not JSON). */
export function anthropicEvents(text: string): { event: string; data: any }[] {
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("event: "))
    .map((block) => {
      const [eventLine, dataLine = ""] = block.split("\n");
      const raw = dataLine.slice("data: ".length);
      let data: unknown = raw;
      try {
        data = JSON.parse(raw);
      } catch {
        // left as text: a malformed event
      }
      return { event: eventLine!.slice("event: ".length), data };
    });
}
