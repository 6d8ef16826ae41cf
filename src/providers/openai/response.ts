/** An OpenAI chat completion (and its stream chunks) as canonical answers. */
import type { ChatResponse, FinishReason, StreamEvent, TokenUsage } from "../../core/canonical.ts";
import { GatewayError } from "../../core/errors.ts";
import type { SseEvent } from "../../core/sse.ts";
import { errorFromStreamEvent, usageFromOpenAI, type StreamParser } from "../stream-parser.ts";

type Json = Record<string, unknown>;

export function finishReasonOf(reason: unknown): FinishReason {
  switch (reason) {
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    default:
      return "stop";
  }
}

export function chatResponseOf(json: unknown, provider: string): ChatResponse {
  const body = json as { id?: unknown; model?: unknown; created?: unknown; choices?: Json[]; usage?: Json };
  const choice = body?.choices?.[0];
  const message = choice?.message as { content?: unknown; refusal?: unknown; tool_calls?: Json[] } | undefined;
  if (!message) throw new GatewayError("upstream_error", `provider '${provider}' sent a malformed response`, { code: "upstream_malformed" });
  return {
    id: String(body.id ?? "chatcmpl-gateway"),
    model: String(body.model ?? ""),
    created: typeof body.created === "number" ? body.created : Math.floor(Date.now() / 1000),
    // A refusal is the answer's text, ended as filtered content (Anthropic's "refusal").
    text: typeof message.content === "string" && message.content ? message.content : typeof message.refusal === "string" ? message.refusal : "",
    toolCalls: (message.tool_calls ?? []).map((c) => {
      const fn = (c.function ?? {}) as Json;
      return { id: String(c.id), name: String(fn.name), arguments: typeof fn.arguments === "string" ? fn.arguments : "{}" };
    }),
    finishReason: typeof message.refusal === "string" && message.refusal ? "content_filter" : finishReasonOf(choice?.finish_reason),
    usage: body.usage ? usageFromOpenAI(body.usage) : undefined,
  };
}

/** OpenAI chunks as canonical events: a start, text and tool-call deltas, the finish, the usage, then [DONE]. */
export class OpenAIStreamParser implements StreamParser {
  state: "open" | "done" | "complete" = "open";
  usage: TokenUsage | undefined;
  #started = false;
  #calls = new Set<number>();
  /** Call ids seen, by index: a server that sends no `index` is read by id, else by position. */
  #ids = new Map<string, number>();
  #last = -1;
  #refused = false;

  parse(event: SseEvent): StreamEvent[] {
    if (event.data === "[DONE]") {
      this.state = "done";
      return [];
    }
    const data = JSON.parse(event.data) as { id?: string; model?: string; created?: number; choices?: Json[]; usage?: Json | null; error?: unknown };
    if (data.error) throw errorFromStreamEvent(data.error);
    const out: StreamEvent[] = [];
    if (!this.#started) {
      this.#started = true;
      out.push({ type: "start", id: String(data.id ?? "chatcmpl-gateway"), model: String(data.model ?? ""), created: data.created ?? Math.floor(Date.now() / 1000) });
    }
    for (const choice of data.choices ?? []) {
      const delta = (choice.delta ?? {}) as { content?: unknown; refusal?: unknown; tool_calls?: Json[] };
      if (typeof delta.content === "string" && delta.content) out.push({ type: "text", text: delta.content });
      if (typeof delta.refusal === "string" && delta.refusal) {
        this.#refused = true;
        out.push({ type: "text", text: delta.refusal });
      }
      (delta.tool_calls ?? []).forEach((call, position) => {
        const index = this.#indexOf(call, position);
        const fn = (call.function ?? {}) as Json;
        if (!this.#calls.has(index)) {
          this.#calls.add(index);
          out.push({ type: "tool_call_start", index, id: String(call.id ?? `call_${index}`), name: String(fn.name ?? "") });
        }
        if (typeof fn.arguments === "string" && fn.arguments) out.push({ type: "tool_call_delta", index, arguments: fn.arguments });
      });
      if (choice.finish_reason) out.push({ type: "finish", reason: this.#refused ? "content_filter" : finishReasonOf(choice.finish_reason) });
    }
    if (data.usage) {
      this.usage = usageFromOpenAI(data.usage);
      out.push({ type: "usage", usage: this.usage });
    }
    return out;
  }

  /** A tool call delta's index: as sent; else a new id is a new call, and a delta with neither continues the last call (or is the call at its position). */
  #indexOf(call: Json, position: number): number {
    let index: number;
    if (typeof call.index === "number") index = call.index;
    else if (typeof call.id === "string" && call.id) index = this.#ids.get(call.id) ?? Math.max(this.#last + 1, position);
    else index = this.#last >= 0 ? this.#last : position;
    if (typeof call.id === "string" && call.id && !this.#ids.has(call.id)) this.#ids.set(call.id, index);
    this.#last = index;
    return index;
  }
}
