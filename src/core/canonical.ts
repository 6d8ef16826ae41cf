/**
 * The canonical chat model. Every inbound wire format converts its request to it, and every
 * provider adapter builds its upstream request from it; answers and stream events come back in
 * it. A request between two different dialects passes through here; a request to a provider of
 * the caller's own dialect does not (it is relayed as it came).
 */

export type Dialect = "openai" | "anthropic" | "gemini";

export type ImageSource = { kind: "url"; url: string } | { kind: "base64"; mediaType: string; data: string };

export type ContentPart = { type: "text"; text: string } | { type: "image"; source: ImageSource };

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as JSON text, as the model wrote them. */
  arguments: string;
}

/** A message, with `at`: where it stands in the caller's request ("messages.3", "system"). */
export type Message = { at: FieldPath } & (
  | { role: "system"; content: string }
  | { role: "user"; content: ContentPart[] }
  | { role: "assistant"; content: string; toolCalls: ToolCall[] }
  | { role: "tool"; toolCallId: string; content: ContentPart[]; isError?: boolean | undefined }
);

/** The canonical fields a caller names one way or another (`max_tokens`, `max_completion_tokens`, `stop_sequences`…). */
export type NamedField = "maxTokens" | "temperature" | "topP" | "topK" | "stop" | "responseFormat" | "tools" | "toolChoice" | "parallelToolCalls" | "user";

export interface ToolDefinition {
  name: string;
  description?: string | undefined;
  /** A JSON Schema object. */
  parameters: Record<string, unknown>;
}

export type ToolChoice = { type: "auto" } | { type: "none" } | { type: "required" } | { type: "tool"; name: string };

export type ResponseFormat = { type: "text" } | { type: "json_object" } | { type: "json_schema"; name: string; schema: Record<string, unknown>; strict?: boolean | undefined };

/**
 * Where a field came from in the caller's own request, so an adapter that cannot send it
 * names it as the caller wrote it ("temperature", "messages.3.content.1").
 */
export type FieldPath = string;

export interface ChatRequest {
  /** The public model name the caller asked for. */
  model: string;
  messages: Message[];
  tools?: ToolDefinition[] | undefined;
  toolChoice?: ToolChoice | undefined;
  parallelToolCalls?: boolean | undefined;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  topP?: number | undefined;
  topK?: number | undefined;
  stop?: string[] | undefined;
  responseFormat?: ResponseFormat | undefined;
  /** Who the end user is (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string | undefined;
  stream: boolean;
  /**
   * Fields the caller's dialect has and the canonical model does not (OpenAI's `seed`, `n`,
   * `logprobs`, a provider extension…), by the caller's own names. A provider of that dialect
   * gets them as they are; another maps the ones it knows and refuses the rest by name.
   */
  extras: { dialect: Dialect; fields: Record<string, unknown> };
  /** How the caller named each field it set, for errors that must name it. */
  paths: Partial<Record<NamedField, FieldPath>>;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

export interface TokenUsage {
  /** Prompt tokens, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /** Of the input, how many were read from the provider's prompt cache. */
  cachedInputTokens?: number | undefined;
  /** Of the input, how many were written to the provider's prompt cache. */
  cacheWriteTokens?: number | undefined;
}

export interface ChatResponse {
  id: string;
  model: string;
  /** Epoch seconds. */
  created: number;
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** The stop sequence that ended the answer, when one did. */
  stopSequence?: string | undefined;
  usage?: TokenUsage | undefined;
}

/** One piece of a streamed answer, in arrival order. */
export type StreamEvent =
  | { type: "start"; id: string; model: string; created: number; usage?: Partial<TokenUsage> | undefined }
  | { type: "text"; text: string }
  | { type: "tool_call_start"; index: number; id: string; name: string }
  | { type: "tool_call_delta"; index: number; arguments: string }
  | { type: "finish"; reason: FinishReason; stopSequence?: string | undefined }
  | { type: "usage"; usage: TokenUsage };

/** The OpenAI `usage` object for canonical usage: what log rows and OpenAI callers read. */
export function openaiUsage(usage: TokenUsage): { prompt_tokens: number; completion_tokens: number; total_tokens: number; prompt_tokens_details?: { cached_tokens: number } } {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    ...(usage.cachedInputTokens !== undefined ? { prompt_tokens_details: { cached_tokens: usage.cachedInputTokens } } : {}),
  };
}
