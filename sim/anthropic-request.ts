// Validation of Anthropic Messages API requests (POST /v1/messages and count_tokens), worded like the API's own 400s.
import { HttpError } from "./http.ts";
import { isRecord, isStringArray } from "./json.ts";
import { contentText } from "./messages.ts";
import type { ToolMode, ToolSpec } from "./tools.ts";

/** What the simulator uses of a validated Messages API request. */
export interface MessagesRequest {
  model: string;
  /** max_tokens (undefined for count_tokens, where it is not taken). */
  maxTokens: number | undefined;
  stream: boolean;
  tools: ToolSpec[];
  mode: ToolMode;
  /** False with tool_choice.disable_parallel_tool_use. */
  parallel: boolean;
  /** Text of the last user message, where directives are read. */
  lastUserText: string;
  /** True when the last user message carries tool_result blocks. */
  resultsPending: boolean;
  /** Input token estimate: ceil(chars of system, text, tool results and tool inputs / 4). */
  inputTokens: number;
}

const IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];

const bad = (path: string, message: string): HttpError => new HttpError(400, `${path}: ${message}`);

function requireString(value: unknown, path: string): string {
  if (value === undefined) throw bad(path, "Field required");
  if (typeof value !== "string") throw bad(path, "Input should be a valid string");
  return value;
}

function optionalNumber(body: Record<string, unknown>, key: string, min: number, max: number, integer = false): void {
  const v = body[key];
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw bad(key, integer ? "Input should be a valid integer" : "Input should be a valid number");
  }
  if (v < min) throw bad(key, `Input should be greater than or equal to ${min}`);
  if (v > max) throw bad(key, `Input should be less than or equal to ${max}`);
}

function checkImageSource(source: unknown, path: string): void {
  if (!isRecord(source)) throw bad(path, "Field required");
  if (source.type === "base64") {
    if (typeof source.media_type !== "string" || !IMAGE_TYPES.includes(source.media_type)) {
      throw bad(`${path}.media_type`, `Input should be ${IMAGE_TYPES.map((t) => `'${t}'`).join(", ")}`);
    }
    requireString(source.data, `${path}.data`);
  } else if (source.type === "url") {
    requireString(source.url, `${path}.url`);
  } else {
    throw bad(`${path}.type`, "Input tag found using 'type' does not match any of the expected tags: 'base64', 'url'");
  }
}

/** Checks one content block; returns the text it contributes to the token estimate. */
function checkBlock(block: unknown, path: string, nested: boolean): string {
  if (!isRecord(block)) throw bad(path, "Input should be a valid dictionary or object");
  switch (block.type) {
    case "text":
      return requireString(block.text, `${path}.text`);
    case "image":
      checkImageSource(block.source, `${path}.source`);
      return "";
    case "tool_use":
      if (nested) break;
      requireString(block.id, `${path}.id`);
      requireString(block.name, `${path}.name`);
      if (!isRecord(block.input)) throw bad(`${path}.input`, "Input should be a valid dictionary");
      return JSON.stringify(block.input);
    case "tool_result": {
      if (nested) break;
      requireString(block.tool_use_id, `${path}.tool_use_id`);
      if (block.is_error !== undefined && typeof block.is_error !== "boolean") throw bad(`${path}.is_error`, "Input should be a valid boolean");
      const c = block.content;
      if (c === undefined || typeof c === "string") return c ?? "";
      if (!Array.isArray(c)) throw bad(`${path}.content`, "Input should be a valid string or list");
      return c.map((b, i) => checkBlock(b, `${path}.content.${i}`, true)).join("");
    }
  }
  const tags = nested ? "'text', 'image'" : "'text', 'image', 'tool_use', 'tool_result'";
  throw bad(`${path}.type`, `Input tag '${String(block.type)}' found using 'type' does not match any of the expected tags: ${tags}`);
}

interface CheckedMessage {
  role: "user" | "assistant";
  blocks: Record<string, unknown>[];
  text: string;
}

function checkMessage(message: unknown, i: number): CheckedMessage {
  const path = `messages.${i}`;
  if (!isRecord(message)) throw bad(path, "Input should be a valid dictionary");
  if (message.role !== "user" && message.role !== "assistant") throw bad(`${path}.role`, "Input should be 'user' or 'assistant'");
  const c = message.content;
  if (c === undefined) throw bad(`${path}.content`, "Field required");
  if (typeof c === "string") return { role: message.role, blocks: c === "" ? [] : [{ type: "text", text: c }], text: c };
  if (!Array.isArray(c)) throw bad(`${path}.content`, "Input should be a valid string or list");
  const text = c.map((b, j) => checkBlock(b, `${path}.content.${j}`, false)).join("");
  return { role: message.role, blocks: c as Record<string, unknown>[], text };
}

const idsOf = (m: CheckedMessage | undefined, type: string, key: string): string[] =>
  (m?.blocks ?? []).filter((b) => b.type === type).map((b) => String(b[key]));

/** Checks that tool_result blocks answer tool_use blocks of the previous message, then that every tool_use is answered. */
function checkToolPairs(messages: readonly CheckedMessage[]): void {
  messages.forEach((m, i) => {
    const previous = messages[i - 1];
    const asked = previous?.role === "assistant" ? idsOf(previous, "tool_use", "id") : [];
    const stray = idsOf(m, "tool_result", "tool_use_id").filter((id) => !asked.includes(id));
    if (stray.length > 0) {
      throw bad(
        `messages.${i}.content`,
        `unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${stray.join(", ")}. ` +
          "Each `tool_result` block must have a corresponding `tool_use` block in the previous message.",
      );
    }
  });
  messages.forEach((m, i) => {
    const next = messages[i + 1];
    if (next === undefined) return;
    const answered = idsOf(next, "tool_result", "tool_use_id");
    const unanswered = idsOf(m, "tool_use", "id").filter((id) => !answered.includes(id));
    if (unanswered.length > 0) {
      throw bad(
        `messages.${i + 1}`,
        `\`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${unanswered.join(", ")}. ` +
          "Each `tool_use` block must have a corresponding `tool_result` block in the next message.",
      );
    }
  });
}

function systemText(system: unknown): string {
  if (system === undefined || typeof system === "string") return system ?? "";
  if (!Array.isArray(system)) throw bad("system", "Input should be a valid string or list");
  return system
    .map((b, i) => {
      if (!isRecord(b) || b.type !== "text") throw bad(`system.${i}.type`, "Input should be 'text'");
      return requireString(b.text, `system.${i}.text`);
    })
    .join("");
}

function parseTools(value: unknown): ToolSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad("tools", "Input should be a valid list");
  return value.map((tool, i) => {
    const path = `tools.${i}`;
    if (!isRecord(tool)) throw bad(path, "Input should be a valid dictionary");
    const name = requireString(tool.name, `${path}.name`);
    if (!/^[a-zA-Z0-9_-]{1,128}$/.test(name)) throw bad(`${path}.name`, "String should match pattern '^[a-zA-Z0-9_-]{1,128}$'");
    // Server tools (web_search_…, bash_…) carry a versioned type and no input_schema.
    if (tool.type !== undefined && tool.type !== "custom") return { name, schema: undefined };
    if (tool.description !== undefined && typeof tool.description !== "string") throw bad(`${path}.description`, "Input should be a valid string");
    if (!isRecord(tool.input_schema)) throw bad(`${path}.input_schema`, tool.input_schema === undefined ? "Field required" : "Input should be a valid dictionary");
    if (tool.input_schema.type !== "object") throw bad(`${path}.input_schema.type`, "Input should be 'object'");
    return { name, schema: tool.input_schema };
  });
}

function parseToolChoice(value: unknown, tools: readonly ToolSpec[]): { mode: ToolMode; parallel: boolean } {
  if (value === undefined) return { mode: { kind: "auto" }, parallel: true };
  if (!isRecord(value)) throw bad("tool_choice", "Input should be a valid dictionary");
  const p = value.disable_parallel_tool_use;
  if (p !== undefined && typeof p !== "boolean") throw bad("tool_choice.disable_parallel_tool_use", "Input should be a valid boolean");
  const parallel = p !== true;
  switch (value.type) {
    case "none":
      return { mode: { kind: "none" }, parallel };
    case "auto":
      return { mode: { kind: "auto" }, parallel };
    case "any":
    case "tool": {
      if (tools.length === 0) throw bad("tool_choice", "tool_choice may only be specified while providing tools.");
      if (value.type === "any") return { mode: { kind: "any" }, parallel };
      const name = requireString(value.name, "tool_choice.name");
      if (!tools.some((t) => t.name === name)) throw bad("tool_choice.name", `Tool '${name}' not found in provided tools`);
      return { mode: { kind: "named", name }, parallel };
    }
    default:
      throw bad("tool_choice.type", `Input tag '${String(value.type)}' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'`);
  }
}

/**
 * Validates a Messages API body (for count_tokens, `max_tokens` is neither required nor checked, nor `stream`).
 * @throws HttpError 400 worded "<field path>: <problem>".
 */
export function parseMessagesRequest(body: unknown, countTokens = false): MessagesRequest {
  if (!isRecord(body)) throw new HttpError(400, "Request body must be a JSON object.");
  const model = requireString(body.model, "model");
  let maxTokens: number | undefined;
  if (!countTokens) {
    const m = body.max_tokens;
    if (m === undefined) throw bad("max_tokens", "Field required");
    if (typeof m !== "number" || !Number.isInteger(m)) throw bad("max_tokens", "Input should be a valid integer");
    if (m < 1) throw bad("max_tokens", "Input should be greater than or equal to 1");
    maxTokens = m;
    if (body.stream !== undefined && typeof body.stream !== "boolean") throw bad("stream", "Input should be a valid boolean");
  }
  if (body.messages === undefined) throw bad("messages", "Field required");
  if (!Array.isArray(body.messages)) throw bad("messages", "Input should be a valid list");
  if (body.messages.length === 0) throw bad("messages", "at least one message is required");
  const messages = body.messages.map(checkMessage);
  messages.forEach((m, i) => {
    const finalAssistant = i === messages.length - 1 && m.role === "assistant";
    if (m.blocks.length === 0 && !finalAssistant) {
      throw bad(`messages.${i}`, "all messages must have non-empty content except for the optional final assistant message");
    }
  });
  checkToolPairs(messages);
  const system = systemText(body.system);
  optionalNumber(body, "temperature", 0, 1);
  optionalNumber(body, "top_p", 0, 1);
  optionalNumber(body, "top_k", 0, Number.MAX_SAFE_INTEGER, true);
  if (body.stop_sequences !== undefined && !isStringArray(body.stop_sequences)) throw bad("stop_sequences", "Input should be a valid list of strings");
  if (body.metadata !== undefined && !isRecord(body.metadata)) throw bad("metadata", "Input should be a valid dictionary");
  const tools = parseTools(body.tools);
  const { mode, parallel } = parseToolChoice(body.tool_choice, tools);
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  const chars = system.length + messages.reduce((sum, m) => sum + m.text.length, 0);
  return {
    model,
    maxTokens,
    stream: body.stream === true,
    tools,
    mode,
    parallel,
    lastUserText: lastUser ? contentText(lastUser.blocks) : "",
    resultsPending: lastUser?.blocks.some((b) => b.type === "tool_result") ?? false,
    inputTokens: Math.ceil(chars / 4),
  };
}
