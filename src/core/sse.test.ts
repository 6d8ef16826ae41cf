import { describe, expect, it } from "vitest";
import { encodeSse, parseSse, SseFormatError, SseReader } from "./sse.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("SseReader", () => {
  it("reads events with names, multi-line data and comments, in any line-ending style", () => {
    const text = "event: ping\ndata: a\ndata: b\n\n: keep-alive\n\ndata: c\r\n\r\ndata: d\r\rdata: e\n\n";
    expect(parseSse(text)).toEqual([
      { event: "ping", data: "a\nb" },
      { event: undefined, data: "c" },
      { event: undefined, data: "d" },
      { event: undefined, data: "e" },
    ]);
  });

  it("joins a CRLF split between two chunks into one line ending, not two", () => {
    const reader = new SseReader();
    const got = [...reader.push(bytes("data: one\r")), ...reader.push(bytes("\n\r")), ...reader.push(bytes("\ndata: two\r\n\r\n")), ...reader.end()];
    expect(got.map((e) => e.data)).toEqual(["one", "two"]);
  });

  it("emits nothing for a chunk that holds only part of a UTF-8 character", () => {
    const reader = new SseReader();
    const all = bytes("data: 你\n\n");
    const got = [];
    for (const b of all) got.push(...reader.push(Uint8Array.of(b)));
    expect(got).toEqual([{ event: undefined, data: "你" }]);
    expect(reader.end()).toEqual([]);
  });

  it("at the end, accepts a last event that lacks only its blank line", () => {
    expect(parseSse("data: x\n\ndata: [DONE]").map((e) => e.data)).toEqual(["x", "[DONE]"]);
  });

  it("refuses an unbounded event instead of buffering it forever", () => {
    const reader = new SseReader();
    const line = bytes(`data: ${"x".repeat(1024 * 1024)}`);
    expect(() => {
      for (let i = 0; i < 10; i++) reader.push(line);
    }).toThrow(SseFormatError);
  });

  it("encodes data with newlines as several data lines that read back the same", () => {
    const encoded = encodeSse("line 1\nline 2", "message_delta");
    expect(encoded).toBe("event: message_delta\ndata: line 1\ndata: line 2\n\n");
    expect(parseSse(encoded)).toEqual([{ event: "message_delta", data: "line 1\nline 2" }]);
  });
});
