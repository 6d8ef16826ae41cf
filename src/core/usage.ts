/** Token estimates before a call (for the TPM bucket) from a request body. */

const DEFAULT_COMPLETION_TOKENS = 256;

function textLength(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + textLength(v), 0);
  if (value && typeof value === "object") return Object.values(value).reduce((n: number, v) => n + textLength(v), 0);
  return 0;
}

/** Roughly four characters a token for the prompt, plus the completion budget asked for. */
export function estimateTokens(body: { messages?: unknown; input?: unknown; max_tokens?: number | null; max_completion_tokens?: number | null }): number {
  const prompt = Math.ceil(textLength(body.messages ?? body.input) / 4);
  const completion = body.input !== undefined ? 0 : (body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_COMPLETION_TOKENS);
  return prompt + completion;
}
