/** Token estimates before a call (for the TPM bucket) from a request body. */

const DEFAULT_COMPLETION_TOKENS = 256;

/** Characters of every string inside `value`; iterative, so no body can exhaust the stack. */
export function textLength(value: unknown): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") total += v.length;
    else if (v && typeof v === "object") for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push(child);
  }
  return total;
}

/** Roughly four characters a token for the prompt, plus the completion budget asked for. */
export function estimateTokens(body: { messages?: unknown; input?: unknown; max_tokens?: number | null; max_completion_tokens?: number | null }): number {
  const prompt = Math.ceil(textLength(body.messages ?? body.input) / 4);
  const completion = body.input !== undefined ? 0 : (body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_COMPLETION_TOKENS);
  return prompt + completion;
}
