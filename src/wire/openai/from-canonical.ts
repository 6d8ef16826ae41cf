/** A canonical answer as the OpenAI caller expects it: a `chat.completion`, or `chat.completion.chunk` events. */
import { openaiUsage, type ChatResponse, type FinishReason, type StreamEvent, type TokenUsage } from "../../core/canonical.ts";
import { encodeSse } from "../../core/sse.ts";

/** OpenAI's finish reasons are the canonical ones. */
const finishReason = (reason: FinishReason): string => reason;

export function chatCompletionOf(response: ChatResponse, publicModel: string) {
  return {
    id: response.id,
    object: "chat.completion" as const,
    created: response.created,
    model: publicModel,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant" as const,
          content: response.text === "" && response.toolCalls.length > 0 ? null : response.text,
          ...(response.toolCalls.length > 0 ? { tool_calls: response.toolCalls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.arguments } })) } : {}),
        },
        finish_reason: finishReason(response.finishReason),
        logprobs: null,
      },
    ],
    ...(response.usage ? { usage: openaiUsage(response.usage) } : {}),
  };
}

/**
 * Encodes canonical stream events as OpenAI SSE, chunk by chunk as they come: a role chunk first,
 * content and tool-call deltas, the finish chunk, the usage chunk when the caller asked for it,
 * then `[DONE]`.
 */
export class OpenAIStreamEncoder {
  #id = "chatcmpl-gateway";
  #created = Math.floor(Date.now() / 1000);
  #started = false;
  #usage: TokenUsage | undefined;
  readonly #model: string;
  readonly #includeUsage: boolean;

  constructor(publicModel: string, includeUsage: boolean) {
    this.#model = publicModel;
    this.#includeUsage = includeUsage;
  }

  #chunk(delta: Record<string, unknown>, finish: string | null = null): string {
    return encodeSse(JSON.stringify({ id: this.#id, object: "chat.completion.chunk", created: this.#created, model: this.#model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] }));
  }

  /** The SSE text for one event (possibly empty). */
  encode(event: StreamEvent): string {
    let out = "";
    if (!this.#started && event.type !== "usage") {
      if (event.type === "start") {
        this.#id = event.id;
        this.#created = event.created;
      }
      this.#started = true;
      out += this.#chunk({ role: "assistant", content: "" });
    }
    switch (event.type) {
      case "start":
        return out;
      case "text":
        return event.text ? out + this.#chunk({ content: event.text }) : out;
      case "tool_call_start":
        return out + this.#chunk({ tool_calls: [{ index: event.index, id: event.id, type: "function", function: { name: event.name, arguments: "" } }] });
      case "tool_call_delta":
        return out + this.#chunk({ tool_calls: [{ index: event.index, function: { arguments: event.arguments } }] });
      case "finish":
        return out + this.#chunk({}, finishReason(event.reason));
      case "usage":
        this.#usage = event.usage;
        return out;
    }
  }

  /** The end of a complete stream: the usage chunk (when asked for) and `[DONE]`. */
  end(): string {
    const usage = this.#includeUsage && this.#usage ? encodeSse(JSON.stringify({ id: this.#id, object: "chat.completion.chunk", created: this.#created, model: this.#model, choices: [], usage: openaiUsage(this.#usage) })) : "";
    return `${usage}${encodeSse("[DONE]")}`;
  }

  /** The usage seen so far, for the log row. */
  get usage(): TokenUsage | undefined {
    return this.#usage;
  }
}
