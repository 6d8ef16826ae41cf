/**
 * Server-sent events: one reader (eventsource-parser) and one encoder shared by every wire format.
 * The reader takes raw bytes in arrival order, so a UTF-8 character or a CRLF split across two
 * chunks is joined before any event is cut.
 */
import { createParser, type EventSourceParser } from "eventsource-parser";

/** One SSE event: its `event:` name, if any, and its joined `data:` lines. */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Largest event (or unterminated line) an upstream may send before the stream counts as malformed. */
const MAX_EVENT_CHARS = 8 * 1024 * 1024;

/** Thrown when an upstream stream cannot be read as SSE (an event over the size bound). */
export class SseFormatError extends Error {
  override readonly name = "SseFormatError";
}

/** Turns a byte stream into SSE events; feed it chunks in order, then call `end`. */
export class SseReader {
  readonly #decoder = new TextDecoder();
  readonly #parser: EventSourceParser;
  #events: SseEvent[] = [];
  #failure: SseFormatError | undefined;

  constructor() {
    this.#parser = createParser({
      maxBufferSize: MAX_EVENT_CHARS,
      onEvent: (e) => this.#events.push({ event: e.event, data: e.data }),
      onError: (e) => {
        if (e.type === "max-buffer-size-exceeded") this.#failure = new SseFormatError(`an upstream event exceeded ${MAX_EVENT_CHARS} characters`);
      },
    });
  }

  /** The events this chunk completes (none if it only holds part of one). */
  push(chunk: Uint8Array): SseEvent[] {
    return this.#feed(this.#decoder.decode(chunk, { stream: true }));
  }

  /** The stream ended: the decoder's tail, and a last event that lacks only its closing blank line. */
  end(): SseEvent[] {
    return this.#feed(`${this.#decoder.decode()}\n\n`);
  }

  #feed(text: string): SseEvent[] {
    if (this.#failure) throw this.#failure;
    if (text) this.#parser.feed(text);
    if (this.#failure) throw this.#failure;
    const out = this.#events;
    this.#events = [];
    return out;
  }
}

/** Reads a whole SSE body (tests, small bodies); a streaming caller uses `SseReader` directly. */
export function parseSse(body: Uint8Array | string): SseEvent[] {
  const reader = new SseReader();
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  return [...reader.push(bytes), ...reader.end()];
}

/** Encodes one event (and an optional `event:` name); a data value with newlines becomes several `data:` lines. */
export function encodeSse(data: string, event?: string): string {
  const lines = data.includes("\n") ? data.split("\n").map((l) => `data: ${l}\n`).join("") : `data: ${data}\n`;
  return `${event ? `event: ${event}\n` : ""}${lines}\n`;
}
