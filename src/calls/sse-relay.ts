/**
 * Relays an upstream SSE stream to the caller as it arrives, through a handler that turns each
 * upstream event into what the caller gets (the same bytes, a rewritten event, or another
 * dialect's events). Never buffers the stream. A stream that breaks, stalls, or ends before its
 * end marker ends with an error event in the caller's format, never a clean close.
 */
import type { TokenUsage } from "../core/canonical.ts";
import { GatewayError } from "../core/errors.ts";
import { SseFormatError, SseReader, type SseEvent } from "../core/sse.ts";

/** What the relay asks of the two dialects it stands between. */
export interface RelayHandler {
  /** The caller's text for one upstream event; throws a GatewayError for a failure the stream reports. */
  event(event: SseEvent): string;
  /**
   * "open": more is coming; "done": the end marker came ([DONE], message_stop), stop reading;
   * "complete": the answer is whole, and the stream may end now (Gemini has no end marker).
   */
  readonly state: "open" | "done" | "complete";
  /** The caller's text after the upstream ended cleanly (the caller's own end marker). */
  end(): string;
  /** A failure as the caller's error event. */
  failure(error: GatewayError): string;
  /** Whether answer content has reached the caller (for time to first token). */
  readonly sawContent: boolean;
  readonly usage: TokenUsage | undefined;
}

export interface RelaySummary {
  /** 200 when the stream completed; otherwise the status its failure maps to. */
  status: number;
  ttftMs: number | undefined;
  usage: TokenUsage | undefined;
  error: string | undefined;
  /** The failure the stream ended with, and how many chunks reached the caller before it. */
  failure?: GatewayError | undefined;
  sentBefore?: number;
}

export interface RelayOptions {
  startedAt: number;
  /** Longest silence allowed between upstream chunks. */
  idleTimeoutMs: number;
  signal?: AbortSignal | undefined;
  onEnd: (summary: RelaySummary) => void;
}

const encoder = new TextEncoder();

/** Returns the caller's body; `onEnd` runs once when the relay finishes, however it ends. */
export function relaySse(upstream: ReadableStream<Uint8Array>, handler: RelayHandler, options: RelayOptions): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const sse = new SseReader();
  let ttftMs: number | undefined;
  let ended = false;
  /** Chunks sent to the caller so far. */
  let sent = 0;

  const finish = (controller: ReadableStreamDefaultController<Uint8Array> | undefined, failure?: GatewayError, status = failure?.status ?? 200) => {
    if (ended) return;
    ended = true;
    if (failure && controller) controller.enqueue(encoder.encode(handler.failure(failure)));
    else if (!failure) controller?.enqueue(encoder.encode(handler.end()));
    try {
      controller?.close();
    } catch {
      // already closed by a cancel
    }
    reader.cancel().catch(() => {});
    options.onEnd({ status: failure ? status : 200, ttftMs, usage: handler.usage, error: failure?.message, failure, sentBefore: sent });
  };

  /** Sends what the events come to; false when the stream ended (a failure it reported). */
  const forward = (controller: ReadableStreamDefaultController<Uint8Array>, events: SseEvent[]): boolean => {
    for (const event of events) {
      if (handler.state === "done") break;
      let text: string;
      try {
        text = handler.event(event);
      } catch (error) {
        finish(controller, error instanceof GatewayError ? error : new GatewayError("upstream_error", "upstream sent a malformed stream event", { code: "upstream_malformed" }));
        return false;
      }
      if (ttftMs === undefined && handler.sawContent) ttftMs = Date.now() - options.startedAt;
      if (text) {
        controller.enqueue(encoder.encode(text));
        sent++;
      }
    }
    return true;
  };

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
      if (timer) clearTimeout(timer);
    }
  };

  return new ReadableStream<Uint8Array>({
    // Reads until something reaches the caller: a pull that enqueues nothing is not pulled again.
    async pull(controller) {
      try {
        while (!ended) {
          const { done, value } = await readWithin(options.idleTimeoutMs);
          if (done) {
            if (!forward(controller, sse.end())) return;
            if (handler.state !== "open") return finish(controller);
            return finish(controller, new GatewayError("upstream_error", "upstream stream ended before it was complete", { code: "upstream_stream_cut" }));
          }
          const before = sent;
          if (!forward(controller, sse.push(value))) return;
          // The end marker is the end: what the upstream does after it (a reset, a stall) is not the call's failure.
          if (handler.state === "done") return finish(controller);
          if (sent > before) return;
        }
      } catch (cause) {
        if (cause instanceof SseFormatError) return finish(controller, new GatewayError("upstream_error", `upstream sent a malformed stream: ${cause.message}`, { code: "upstream_malformed" }));
        const idle = cause instanceof Error && cause.message === "idle";
        const aborted = options.signal?.aborted;
        // After a complete answer, a broken connection loses nothing.
        if (!aborted && handler.state === "complete") return finish(controller);
        const error = aborted
          ? new GatewayError("upstream_error", "the call was cancelled", { code: "cancelled" })
          : idle
            ? new GatewayError("upstream_timeout", "upstream stream stalled", { code: "upstream_timeout" })
            : new GatewayError("upstream_error", "upstream connection broke mid-stream", { code: "upstream_stream_cut" });
        finish(controller, error, aborted ? 499 : error.status);
      }
    },
    cancel() {
      // The caller went away: stop reading upstream and account the call.
      if (!ended) {
        ended = true;
        reader.cancel().catch(() => {});
        options.onEnd({ status: 499, ttftMs, usage: handler.usage, error: "client closed the stream" });
      }
    },
  });
}
