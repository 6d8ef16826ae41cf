/** Server-sent events: one incremental parser and encoder shared by every wire format. */

/** One SSE event: its `event:` name (if any), joined `data:` lines, and the raw text as received. */
export interface SseEvent {
  event: string | undefined;
  data: string;
  raw: string;
}

/** Splits a text stream into SSE events; feed it decoded chunks in order. */
export class SseParser {
  #buffer = "";

  /** Returns the events completed by this chunk. */
  push(chunk: string): SseEvent[] {
    this.#buffer += chunk.replace(/\r\n?/g, "\n");
    const events: SseEvent[] = [];
    let end: number;
    while ((end = this.#buffer.indexOf("\n\n")) !== -1) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      const event = parseBlock(block);
      if (event) events.push(event);
    }
    return events;
  }

  /** Whatever is left when the stream ends (an event without its closing blank line). */
  flush(): SseEvent[] {
    const rest = this.#buffer;
    this.#buffer = "";
    const event = rest.trim() ? parseBlock(rest) : undefined;
    return event ? [event] : [];
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (event === undefined && data.length === 0) return undefined;
  return { event, data: data.join("\n"), raw: `${block}\n\n` };
}

/** Encodes one `data:` event (and an optional `event:` name). */
export function encodeSse(data: string, event?: string): string {
  return `${event ? `event: ${event}\n` : ""}data: ${data}\n\n`;
}
