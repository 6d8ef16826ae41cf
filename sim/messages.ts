// Reading chat messages: text of a message's content, the last user message, and prompt token estimates.

/** Text of an OpenAI message `content`: a string, or the concatenated `text` of content parts. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (part && typeof part === "object" && typeof (part as { text?: unknown }).text === "string" ? (part as { text: string }).text : ""))
    .join("");
}

/** Text of the last message whose role is "user" ("" when there is none). */
export function lastUserText(messages: readonly unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown } | null;
    if (m && typeof m === "object" && m.role === "user") return contentText(m.content);
  }
  return "";
}

/** True when a message with role "tool" (a tool result) follows the last user message. */
export function toolResultsPending(messages: readonly unknown[]): boolean {
  for (let i = messages.length - 1; i >= 0; i--) {
    const role = (messages[i] as { role?: unknown } | null)?.role;
    if (role === "user") return false;
    if (role === "tool") return true;
  }
  return false;
}

/** Token estimate for text: ceil(chars / 4). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** prompt_tokens of a chat request: ceil(total chars of every message's content / 4). */
export function promptTokens(messages: readonly unknown[]): number {
  let chars = 0;
  for (const m of messages) {
    if (m && typeof m === "object") chars += contentText((m as { content?: unknown }).content).length;
  }
  return Math.ceil(chars / 4);
}
