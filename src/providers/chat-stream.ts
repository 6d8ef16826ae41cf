/**
 * Relays an upstream chat-completion SSE stream to the client as it arrives, while noting time to
 * first token and usage. A stream that breaks or ends without `[DONE]` ends with an SSE error
 * event, never a clean close.
 */
import { encodeSse, SseFormatError, SseReader, type SseEvent } from "../core/sse.ts";
import type { Usage } from "../core/openai-schema.ts";
import { scrub } from "./upstream-error.ts";

export interface StreamSummary {
  /** 200 when the stream completed; otherwise the status the failure maps to. */
  status: number;
  ttftMs: number | undefined;
  usage: Usage | undefined;
  error: string | undefined;
}

export interface RelayOptions {
  /** The model name the client asked for, written over the upstream's. */
  publicModel: string;
  /** Whether the client asked for the usage chunk (the gateway always asks upstream for it). */
  clientWantsUsage: boolean;
  startedAt: number;
  /** Longest silence allowed between upstream chunks. */
  idleTimeoutMs: number;
  signal?: AbortSignal | undefined;
  onEnd: (summary: StreamSummary) => void;
}

const encoder = new TextEncoder();

function errorEvent(message: string, code: string): string {
  return encodeSse(JSON.stringify({ error: { message, type: "upstream_error", param: null, code } }));
}

/** Returns the client-facing body; `onEnd` runs once when the relay finishes, however it ends. */
export function relayChatStream(upstream: ReadableStream<Uint8Array>, options: RelayOptions): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const sse = new SseReader();
  const summary: StreamSummary = { status: 200, ttftMs: undefined, usage: undefined, error: undefined };
  let sawDone = false;
  let ended = false;
  /** Events sent to the client so far. */
  let enqueued = 0;

  const finish = (controller: ReadableStreamDefaultController<Uint8Array> | undefined, failure?: { message: string; code: string; status: number }) => {
    if (ended) return;
    ended = true;
    if (failure) {
      summary.status = failure.status;
      summary.error = failure.message;
      controller?.enqueue(encoder.encode(errorEvent(failure.message, failure.code)));
    }
    try {
      controller?.close();
    } catch {
      // already closed by a cancel
    }
    reader.cancel().catch(() => {});
    options.onEnd(summary);
  };

  const forward = (controller: ReadableStreamDefaultController<Uint8Array>, events: SseEvent[]): boolean => {
    for (const event of events) {
      if (sawDone) continue;
      if (event.data === "[DONE]") {
        sawDone = true;
        controller.enqueue(encoder.encode(encodeSse(event.data, event.event)));
        enqueued++;
        continue;
      }
      let data: { model?: string; usage?: Usage | null; choices?: { delta?: { content?: string | null; tool_calls?: unknown } }[]; error?: unknown };
      try {
        data = JSON.parse(event.data);
      } catch {
        finish(controller, { message: "upstream sent a malformed stream event", code: "upstream_malformed", status: 502 });
        return false;
      }
      if (data.error) {
        const message = typeof data.error === "object" && data.error && "message" in data.error ? String(data.error.message) : "upstream error";
        finish(controller, { message: `upstream error mid-stream: ${scrub(message)}`, code: "upstream_error", status: 502 });
        return false;
      }
      if (data.usage) summary.usage = data.usage;
      if (summary.ttftMs === undefined && data.choices?.some((c) => c.delta?.content || c.delta?.tool_calls)) {
        summary.ttftMs = Date.now() - options.startedAt;
      }
      const usageOnly = Array.isArray(data.choices) && data.choices.length === 0 && data.usage;
      if (usageOnly && !options.clientWantsUsage) continue;
      const hideUsage = !options.clientWantsUsage && Boolean(data.usage);
      if (hideUsage) data.usage = null;
      const rewrite = data.model !== undefined && data.model !== options.publicModel;
      if (rewrite) data.model = options.publicModel;
      controller.enqueue(encoder.encode(encodeSse(rewrite || hideUsage ? JSON.stringify(data) : event.data, event.event)));
      enqueued++;
    }
    return true;
  };

  /** One upstream read, or an "idle" failure when the upstream stays silent too long. */
  const readWithin = async (ms: number): Promise<ReadableStreamReadResult<Uint8Array>> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("idle")), ms);
    });
    const read = reader.read();
    read.catch(() => {}); // if the idle timer wins, a later failure of this read is expected
    try {
      return await Promise.race([read, idle]);
    } finally {
      clearTimeout(timer ?? null);
    }
  };

  return new ReadableStream<Uint8Array>({
    // Reads until something reaches the client: a pull that enqueues nothing is not pulled again.
    async pull(controller) {
      try {
        while (!ended) {
          const { done, value } = await readWithin(options.idleTimeoutMs);
          if (done) {
            if (!forward(controller, sse.end())) return;
            if (sawDone) finish(controller);
            else finish(controller, { message: "upstream stream ended before [DONE]", code: "upstream_stream_cut", status: 502 });
            return;
          }
          const before = enqueued;
          if (!forward(controller, sse.push(value))) return;
          // [DONE] is the end: what the upstream does after it (a reset, a stall) is not the call's failure.
          if (sawDone) return finish(controller);
          if (enqueued > before) return;
        }
      } catch (cause) {
        if (cause instanceof SseFormatError) {
          finish(controller, { message: `upstream sent a malformed stream: ${cause.message}`, code: "upstream_malformed", status: 502 });
          return;
        }
        const idle = cause instanceof Error && cause.message === "idle";
        const aborted = options.signal?.aborted;
        finish(controller, {
          message: aborted ? "the call was cancelled" : idle ? "upstream stream stalled" : "upstream connection broke mid-stream",
          code: aborted ? "cancelled" : idle ? "upstream_timeout" : "upstream_stream_cut",
          status: aborted ? 499 : idle ? 504 : 502,
        });
      }
    },
    cancel() {
      // The client went away: stop reading upstream and account the call.
      if (!ended) {
        summary.error = "client closed the stream";
        summary.status = 499;
      }
      finish(undefined);
    },
  });
}
