/**
 * The three ways a stream reaches its caller: OpenAI to OpenAI and Anthropic to Anthropic as the
 * upstream sent them (the model renamed where the caller used an alias, usage the caller did not
 * ask for held back), and between dialects through the upstream's parser and the caller's encoder.
 */
import type { StreamEvent, TokenUsage } from "../core/canonical.ts";
import { GatewayError } from "../core/errors.ts";
import { encodeSse, type SseEvent } from "../core/sse.ts";
import type { StreamParser } from "../providers/stream-parser.ts";
import { errorFromStreamEvent, usageFromAnthropic, usageFromOpenAI } from "../providers/stream-parser.ts";
import { anthropicErrorEvent } from "../wire/anthropic/error-body.ts";
import type { RelayHandler } from "./sse-relay.ts";

/** The caller's side of a translated stream. */
export interface StreamEncoder {
  encode(event: StreamEvent): string;
  end(): string;
}

/** A failure as an OpenAI caller's stream shows it: a `data: {"error": …}` event. */
export function openaiFailureEvent(error: GatewayError): string {
  return encodeSse(JSON.stringify({ error: { message: error.message, type: error.toBody().error.type, param: null, code: error.code ?? error.kind } }));
}

/** OpenAI to OpenAI: the upstream's chunks as they came, unless the model name or held-back usage must change. */
export class OpenAIPassthrough implements RelayHandler {
  state: "open" | "done" | "complete" = "open";
  sawContent = false;
  usage: TokenUsage | undefined;

  constructor(
    readonly publicModel: string,
    readonly clientWantsUsage: boolean,
  ) {}

  event(event: SseEvent): string {
    if (event.data === "[DONE]") {
      this.state = "done";
      return encodeSse("[DONE]", event.event);
    }
    const data = JSON.parse(event.data) as { model?: string; usage?: Record<string, unknown> | null; choices?: { delta?: { content?: string | null; tool_calls?: unknown } }[]; error?: unknown };
    if (data.error) throw errorFromStreamEvent(data.error);
    if (data.usage) this.usage = usageFromOpenAI(data.usage);
    if (data.choices?.some((c) => c.delta?.content || c.delta?.tool_calls)) this.sawContent = true;
    const usageOnly = Array.isArray(data.choices) && data.choices.length === 0 && data.usage;
    if (usageOnly && !this.clientWantsUsage) return "";
    const hideUsage = !this.clientWantsUsage && Boolean(data.usage);
    if (hideUsage) data.usage = null;
    const rename = data.model !== undefined && data.model !== this.publicModel;
    if (rename) data.model = this.publicModel;
    return encodeSse(rename || hideUsage ? JSON.stringify(data) : event.data, event.event);
  }

  end(): string {
    return "";
  }

  failure(error: GatewayError): string {
    return openaiFailureEvent(error);
  }
}

/** Anthropic to Anthropic: the upstream's events as they came, the model renamed where the caller used an alias. */
export class AnthropicPassthrough implements RelayHandler {
  state: "open" | "done" | "complete" = "open";
  sawContent = false;
  usage: TokenUsage | undefined;
  #start: Record<string, unknown> | undefined;

  constructor(readonly publicModel: string) {}

  event(event: SseEvent): string {
    const data = JSON.parse(event.data) as { type?: string; message?: { model?: string; usage?: Record<string, unknown> }; usage?: Record<string, unknown>; error?: unknown };
    switch (data.type) {
      case "error":
        throw errorFromStreamEvent(data.error);
      case "message_start":
        this.#start = data.message?.usage;
        this.usage = usageFromAnthropic(this.#start ?? {});
        if (data.message && data.message.model !== this.publicModel) {
          data.message.model = this.publicModel;
          return encodeSse(JSON.stringify(data), event.event);
        }
        break;
      case "content_block_delta":
        this.sawContent = true;
        break;
      case "message_delta":
        this.usage = usageFromAnthropic({ ...this.#start, ...Object.fromEntries(Object.entries(data.usage ?? {}).filter(([, v]) => v !== null)) });
        break;
      case "message_stop":
        this.state = "done";
        break;
    }
    return encodeSse(event.data, event.event);
  }

  end(): string {
    return "";
  }

  failure(error: GatewayError): string {
    return anthropicErrorEvent(error);
  }
}

/** Between dialects: the upstream's events parsed to canonical ones, encoded for the caller. */
export class Translation implements RelayHandler {
  sawContent = false;

  constructor(
    readonly parser: StreamParser,
    readonly encoder: StreamEncoder,
    readonly failure: (error: GatewayError) => string,
  ) {}

  get state() {
    return this.parser.state;
  }

  get usage() {
    return this.parser.usage;
  }

  event(event: SseEvent): string {
    let out = "";
    for (const e of this.parser.parse(event)) {
      if (e.type === "text" || e.type === "tool_call_start") this.sawContent = true;
      out += this.encoder.encode(e);
    }
    return out;
  }

  end(): string {
    return this.encoder.end();
  }
}
