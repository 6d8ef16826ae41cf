// Builders for chat.completion and chat.completion.chunk bodies with deterministic content.

/** Identity shared by all bodies of one completion. */
export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

/** OpenAI usage block. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Why generation stopped. */
export type FinishReason = "stop" | "length" | "tool_calls";

/** Creates the id/created/model triple for a completion. */
export function completionMeta(model: string, seq: number): CompletionMeta {
  return { id: `chatcmpl-sim-${seq}`, created: Math.floor(Date.now() / 1000), model };
}

/** Text of token `index` (0-based): "tok1", " tok2", " tok3", … — one word per token. */
export function tokenText(index: number): string {
  return `${index === 0 ? "" : " "}tok${index + 1}`;
}

/** Full completion text of `count` tokens: "tok1 tok2 … tokN". */
export function completionText(count: number): string {
  let text = "";
  for (let i = 0; i < count; i++) text += tokenText(i);
  return text;
}

/** Builds a usage block. */
export function usage(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/** Non-streaming `chat.completion` body. */
export function completionBody(meta: CompletionMeta, content: string, finish: FinishReason, u: Usage): object {
  return {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, logprobs: null, finish_reason: finish }],
    usage: u,
    system_fingerprint: "fp_sim",
  };
}

/** One `chat.completion.chunk`; with `includeUsage` it carries `usage: null` like OpenAI does. */
export function chunkBody(meta: CompletionMeta, delta: object, finish: FinishReason | null, includeUsage: boolean): object {
  return {
    id: meta.id,
    object: "chat.completion.chunk",
    created: meta.created,
    model: meta.model,
    system_fingerprint: "fp_sim",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  };
}

/** Final usage chunk sent when `stream_options.include_usage` is true: `choices: []` plus usage. */
export function usageChunkBody(meta: CompletionMeta, u: Usage): object {
  return {
    id: meta.id,
    object: "chat.completion.chunk",
    created: meta.created,
    model: meta.model,
    system_fingerprint: "fp_sim",
    choices: [],
    usage: u,
  };
}

/** One SSE event line: `data: <json or raw string>\n\n`. */
export function sse(data: object | string): string {
  return `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}
