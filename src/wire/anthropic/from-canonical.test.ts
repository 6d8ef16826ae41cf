import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../core/canonical.ts";
import { GatewayError } from "../../core/errors.ts";
import { readWithAnthropic } from "../../calls/sdk-readers.testkit.ts";
import { AnthropicStreamEncoder } from "./from-canonical.ts";

const encode = (events: StreamEvent[]) => {
  const encoder = new AnthropicStreamEncoder("public-model");
  return new TextEncoder().encode(events.map((e) => encoder.encode(e)).join("") + encoder.end());
};

const start: StreamEvent = { type: "start", id: "x", model: "m", created: 0 };

describe("Anthropic's stream from canonical events", () => {
  it("keeps each parallel call's arguments when calls are announced before their arguments come", async () => {
    const bytes = encode([
      start,
      { type: "tool_call_start", index: 0, id: "a", name: "lookup" },
      { type: "tool_call_start", index: 1, id: "b", name: "lookup" },
      { type: "tool_call_delta", index: 0, arguments: '{"q":' },
      { type: "tool_call_delta", index: 0, arguments: "1}" },
      { type: "tool_call_delta", index: 1, arguments: '{"q":2}' },
      { type: "finish", reason: "tool_calls" },
    ]);
    expect(await readWithAnthropic(bytes)).toMatchObject({ tools: [["lookup", { q: 1 }], ["lookup", { q: 2 }]], stop: "tool_use" });
  });

  it("sends a call that never got its turn, with its arguments, before the message ends", async () => {
    const bytes = encode([
      start,
      { type: "tool_call_start", index: 0, id: "a", name: "one" },
      { type: "tool_call_start", index: 1, id: "b", name: "two" },
      { type: "tool_call_delta", index: 0, arguments: "{}" },
      { type: "finish", reason: "tool_calls" },
    ]);
    expect((await readWithAnthropic(bytes)).tools).toEqual([["one", {}], ["two", {}]]);
  });

  it("refuses arguments for a call whose block is already closed, rather than lose them", () => {
    const encoder = new AnthropicStreamEncoder("public-model");
    encoder.encode(start);
    encoder.encode({ type: "tool_call_start", index: 0, id: "a", name: "one" });
    encoder.encode({ type: "tool_call_start", index: 1, id: "b", name: "two" });
    encoder.encode({ type: "tool_call_delta", index: 1, arguments: '{"x":1}' });
    expect(() => encoder.encode({ type: "tool_call_delta", index: 0, arguments: '{"y":2}' })).toThrow(GatewayError);
  });
});
