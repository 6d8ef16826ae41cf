/**
 * A canonical answer as the Anthropic caller expects it: a `message`, or Anthropic's event
 * sequence (message_start, content_block_start/delta/stop, message_delta, message_stop),
 * produced event by event as the upstream's arrive.
 */
import type { ChatResponse, FinishReason, StreamEvent, TokenUsage } from "../../core/canonical.ts";
import { GatewayError } from "../../core/errors.ts";
import { encodeSse } from "../../core/sse.ts";

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal";

export function stopReasonOf(reason: FinishReason, stopSequence: string | undefined): StopReason {
  switch (reason) {
    case "length":
      return "max_tokens";
    case "tool_calls":
      return "tool_use";
    case "content_filter":
      return "refusal";
    case "stop":
      return stopSequence ? "stop_sequence" : "end_turn";
  }
}

function usageOf(usage: Partial<TokenUsage> | undefined) {
  const cached = usage?.cachedInputTokens ?? 0;
  const written = usage?.cacheWriteTokens ?? 0;
  // Anthropic counts input tokens read from or written to the cache apart from the rest.
  return {
    input_tokens: Math.max(0, (usage?.inputTokens ?? 0) - cached - written),
    output_tokens: usage?.outputTokens ?? 0,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
  };
}

function toolInput(args: string): unknown {
  try {
    return args ? JSON.parse(args) : {};
  } catch {
    // A model that wrote broken JSON: hand it over as it came rather than lose it.
    return { _raw: args };
  }
}

export function messageOf(response: ChatResponse, publicModel: string) {
  return {
    id: response.id.startsWith("msg_") ? response.id : `msg_${response.id}`,
    type: "message" as const,
    role: "assistant" as const,
    model: publicModel,
    content: [
      ...(response.text ? [{ type: "text" as const, text: response.text, citations: null }] : []),
      ...response.toolCalls.map((c) => ({ type: "tool_use" as const, id: c.id, name: c.name, input: toolInput(c.arguments) })),
    ],
    stop_reason: stopReasonOf(response.finishReason, response.stopSequence),
    stop_sequence: response.stopSequence ?? null,
    stop_details: null,
    container: null,
    usage: usageOf(response.usage),
  };
}

/** Encodes canonical stream events as Anthropic's event sequence. */
export class AnthropicStreamEncoder {
  #started = false;
  /** The open content block, if any: its index and kind (text, or the tool call's canonical index). */
  #open: { index: number; kind: "text" } | { index: number; kind: "tool"; call: number } | undefined;
  #blocks = 0;
  /**
   * Tool calls announced while another call's block was open, with the arguments received so far:
   * Anthropic's blocks come one after another, so a call's block opens when its arguments start.
   */
  #pending = new Map<number, { id: string; name: string; args: string }>();
  /** Tool calls whose block is closed: more arguments for one cannot be sent. */
  #closedCalls = new Set<number>();
  #finish: { reason: FinishReason; stopSequence?: string | undefined } | undefined;
  #usage: TokenUsage | undefined;
  #startUsage: Partial<TokenUsage> | undefined;
  readonly #model: string;

  constructor(publicModel: string) {
    this.#model = publicModel;
  }

  #event(name: string, data: Record<string, unknown>): string {
    return encodeSse(JSON.stringify({ type: name, ...data }), name);
  }

  #start(id: string): string {
    this.#started = true;
    const message = { id: id.startsWith("msg_") ? id : `msg_${id}`, type: "message", role: "assistant", model: this.#model, content: [], stop_reason: null, stop_sequence: null, stop_details: null, container: null, usage: usageOf(this.#startUsage) };
    return this.#event("message_start", { message });
  }

  #close(): string {
    if (!this.#open) return "";
    if (this.#open.kind === "tool") this.#closedCalls.add(this.#open.call);
    const out = this.#event("content_block_stop", { index: this.#open.index });
    this.#open = undefined;
    return out;
  }

  /** Opens a tool call's block (closing the open one), with the arguments already received. */
  #openTool(call: number, id: string, name: string, args: string): string {
    let out = this.#close();
    this.#open = { index: this.#blocks++, kind: "tool", call };
    out += this.#event("content_block_start", { index: this.#open.index, content_block: { type: "tool_use", id, name, input: {} } });
    if (args) out += this.#event("content_block_delta", { index: this.#open.index, delta: { type: "input_json_delta", partial_json: args } });
    return out;
  }

  /** Closes the open block and sends every announced call still waiting for its block. */
  #closeAll(): string {
    let out = this.#close();
    for (const [call, p] of this.#pending) out += this.#openTool(call, p.id, p.name, p.args) + this.#close();
    this.#pending.clear();
    return out;
  }

  /** The SSE text for one event (possibly empty). */
  encode(event: StreamEvent): string {
    let out = "";
    if (!this.#started) {
      if (event.type === "start") this.#startUsage = event.usage;
      out += this.#start(event.type === "start" ? event.id : "gateway");
      if (event.type === "start") return out;
    }
    switch (event.type) {
      case "start":
        return out;
      case "text":
        if (!event.text) return out;
        if (this.#open?.kind !== "text") {
          out += this.#closeAll();
          this.#open = { index: this.#blocks++, kind: "text" };
          out += this.#event("content_block_start", { index: this.#open.index, content_block: { type: "text", text: "", citations: null } });
        }
        return out + this.#event("content_block_delta", { index: this.#open.index, delta: { type: "text_delta", text: event.text } });
      case "tool_call_start":
        if (this.#open?.kind === "tool") {
          this.#pending.set(event.index, { id: event.id, name: event.name, args: "" });
          return out;
        }
        return out + this.#openTool(event.index, event.id, event.name, "");
      case "tool_call_delta": {
        if (!event.arguments) return out;
        if (this.#open?.kind === "tool" && this.#open.call === event.index) {
          return out + this.#event("content_block_delta", { index: this.#open.index, delta: { type: "input_json_delta", partial_json: event.arguments } });
        }
        const waiting = this.#pending.get(event.index);
        if (waiting) {
          // Arguments for a waiting call: the open call is done, and this one's block opens.
          this.#pending.delete(event.index);
          return out + this.#openTool(event.index, waiting.id, waiting.name, waiting.args + event.arguments);
        }
        if (this.#closedCalls.has(event.index)) {
          throw new GatewayError("upstream_error", "the upstream interleaved the arguments of parallel tool calls, which Anthropic's stream cannot carry", { code: "upstream_malformed" });
        }
        return out;
      }
      case "finish":
        this.#finish = { reason: event.reason, stopSequence: event.stopSequence };
        return out + this.#closeAll();
      case "usage":
        this.#usage = event.usage;
        return out;
    }
  }

  /** The end of a complete stream: message_delta with the stop reason and usage, then message_stop. */
  end(): string {
    const out = (this.#started ? "" : this.#start("gateway")) + this.#closeAll();
    const finish = this.#finish ?? { reason: "stop" as const };
    const delta = { stop_reason: stopReasonOf(finish.reason, finish.stopSequence), stop_sequence: finish.stopSequence ?? null, stop_details: null };
    return out + this.#event("message_delta", { delta, usage: usageOf(this.#usage ?? this.#startUsage) }) + this.#event("message_stop", {});
  }

  get usage(): TokenUsage | undefined {
    return this.#usage;
  }
}
