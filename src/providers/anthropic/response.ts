/** An Anthropic message (and its event stream) as canonical answers. */
import type { ChatResponse, FinishReason, StreamEvent, TokenUsage } from "../../core/canonical.ts";
import { GatewayError } from "../../core/errors.ts";
import type { SseEvent } from "../../core/sse.ts";
import { errorFromStreamEvent, usageFromAnthropic, type StreamParser } from "../stream-parser.ts";

type Json = Record<string, unknown>;

export function finishReasonOf(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return "stop";
  }
}

export function chatResponseOf(json: unknown, provider: string): ChatResponse {
  const body = json as { id?: unknown; model?: unknown; content?: Json[]; stop_reason?: unknown; stop_sequence?: unknown; usage?: Json };
  if (!body || !Array.isArray(body.content)) throw new GatewayError("upstream_error", `provider '${provider}' sent a malformed response`, { code: "upstream_malformed" });
  return {
    id: String(body.id ?? "msg_gateway"),
    model: String(body.model ?? ""),
    created: Math.floor(Date.now() / 1000),
    text: body.content.filter((b) => b.type === "text").map((b) => String(b.text ?? "")).join(""),
    toolCalls: body.content.filter((b) => b.type === "tool_use").map((b) => ({ id: String(b.id), name: String(b.name), arguments: JSON.stringify(b.input ?? {}) })),
    finishReason: finishReasonOf(body.stop_reason),
    stopSequence: typeof body.stop_sequence === "string" ? body.stop_sequence : undefined,
    usage: body.usage ? usageFromAnthropic(body.usage) : undefined,
  };
}

/** Anthropic's event sequence as canonical events; message_stop is the end marker. */
export class AnthropicStreamParser implements StreamParser {
  state: "open" | "done" | "complete" = "open";
  usage: TokenUsage | undefined;
  #startUsage: Json = {};
  /** Content block index → tool call index, for tool_use blocks. */
  #tools = new Map<number, number>();
  /** Tool calls that received argument text (a tool with no input gets "{}" at its block's end). */
  #withArguments = new Set<number>();

  parse(event: SseEvent): StreamEvent[] {
    const data = JSON.parse(event.data) as Json;
    switch (data.type) {
      case "error":
        throw errorFromStreamEvent(data.error);
      case "message_start": {
        const message = (data.message ?? {}) as Json;
        this.#startUsage = (message.usage ?? {}) as Json;
        this.usage = usageFromAnthropic(this.#startUsage);
        return [{ type: "start", id: String(message.id ?? "msg_gateway"), model: String(message.model ?? ""), created: Math.floor(Date.now() / 1000), usage: this.usage }];
      }
      case "content_block_start": {
        const block = (data.content_block ?? {}) as Json;
        if (block.type !== "tool_use") return [];
        const index = this.#tools.size;
        this.#tools.set(Number(data.index), index);
        return [{ type: "tool_call_start", index, id: String(block.id), name: String(block.name) }];
      }
      case "content_block_delta": {
        const delta = (data.delta ?? {}) as Json;
        if (delta.type === "text_delta" && typeof delta.text === "string") return [{ type: "text", text: delta.text }];
        const tool = this.#tools.get(Number(data.index));
        if (delta.type === "input_json_delta" && tool !== undefined && typeof delta.partial_json === "string" && delta.partial_json) {
          this.#withArguments.add(tool);
          return [{ type: "tool_call_delta", index: tool, arguments: delta.partial_json }];
        }
        return [];
      }
      case "content_block_stop": {
        const tool = this.#tools.get(Number(data.index));
        return tool !== undefined && !this.#withArguments.has(tool) ? [{ type: "tool_call_delta", index: tool, arguments: "{}" }] : [];
      }
      case "message_delta": {
        const delta = (data.delta ?? {}) as Json;
        const final = Object.fromEntries(Object.entries((data.usage ?? {}) as Json).filter(([, v]) => v !== null));
        this.usage = usageFromAnthropic({ ...this.#startUsage, ...final });
        return [
          { type: "finish", reason: finishReasonOf(delta.stop_reason), stopSequence: typeof delta.stop_sequence === "string" ? delta.stop_sequence : undefined },
          { type: "usage", usage: this.usage },
        ];
      }
      case "message_stop":
        this.state = "done";
        return [];
      default:
        return [];
    }
  }
}
