/**
 * An Anthropic Messages request as a canonical request, for a provider of another dialect. A user
 * turn's tool results become tool messages, in order; content with no canonical form (documents,
 * thinking, server tools) is refused by the caller's field names. `cache_control` hints are
 * carried by the other dialects' own automatic prompt caching, so they are accepted and not sent.
 */
import type { ChatRequest, ContentPart, Message, NamedField, ToolChoice, ToolDefinition } from "../../core/canonical.ts";
import { untranslatable } from "../../core/untranslatable.ts";
import { GATEWAY_ONLY_FIELDS, type MessagesRequest } from "./schema.ts";

const CANONICAL_FIELDS = new Set(["model", "max_tokens", "messages", "system", "stream", "stop_sequences", "temperature", "top_p", "top_k", "tools", "tool_choice", "metadata", "output_config", ...GATEWAY_ONLY_FIELDS]);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Block fields that change nothing about the answer (caching, citations requested as none). */
const HINT_FIELDS = new Set(["type", "cache_control", "citations"]);

function checkFields(block: Json, allowed: string[], at: string, target: string): void {
  for (const key of Object.keys(block)) {
    if (HINT_FIELDS.has(key) && (key !== "citations" || block.citations == null)) continue;
    if (!allowed.includes(key)) throw untranslatable(`${at}.${key}`, `the block field '${key}'`, target);
  }
}

function textOf(blocks: unknown, at: string, target: string): string {
  if (typeof blocks === "string") return blocks;
  if (!Array.isArray(blocks)) return "";
  return blocks
    .map((b, i) => {
      if (!isObject(b) || b.type !== "text" || typeof b.text !== "string") throw untranslatable(`${at}.${i}`, `a '${isObject(b) ? String(b.type) : typeof b}' block`, target);
      checkFields(b, ["text"], `${at}.${i}`, target);
      return b.text;
    })
    .join("\n");
}

function part(b: Json, at: string, target: string): ContentPart {
  if (b.type === "text" && typeof b.text === "string") {
    checkFields(b, ["text"], at, target);
    return { type: "text", text: b.text };
  }
  if (b.type === "image" && isObject(b.source)) {
    checkFields(b, ["source"], at, target);
    const s = b.source;
    if (s.type === "base64" && typeof s.data === "string" && typeof s.media_type === "string") return { type: "image", source: { kind: "base64", mediaType: s.media_type, data: s.data } };
    if (s.type === "url" && typeof s.url === "string") return { type: "image", source: { kind: "url", url: s.url } };
    throw untranslatable(`${at}.source`, `an image from a '${String(s.type)}' source`, target);
  }
  throw untranslatable(at, `a '${String(b.type)}' block`, target);
}

function messages(m: Json, i: number, target: string): Message[] {
  const at = `messages.${i}`;
  if (m.role === "system") return [{ at, role: "system", content: textOf(m.content, `${at}.content`, target) }];
  const blocks: unknown[] = typeof m.content === "string" ? [{ type: "text", text: m.content }] : (m.content as unknown[]);
  if (m.role === "assistant") {
    let text = "";
    const toolCalls: Extract<Message, { role: "assistant" }>["toolCalls"] = [];
    blocks.forEach((b, j) => {
      const path = `${at}.content.${j}`;
      if (isObject(b) && b.type === "tool_use" && typeof b.id === "string" && typeof b.name === "string") {
        checkFields(b, ["id", "name", "input"], path, target);
        toolCalls.push({ id: b.id, name: b.name, arguments: JSON.stringify(b.input ?? {}) });
      } else if (isObject(b) && b.type === "text" && typeof b.text === "string") {
        checkFields(b, ["text"], path, target);
        text += b.text;
      } else throw untranslatable(path, `a '${isObject(b) ? String(b.type) : typeof b}' block`, target);
    });
    return [{ at, role: "assistant", content: text, toolCalls }];
  }
  // A user turn: tool results become tool messages; the rest of the turn stays one user message, in order.
  const out: Message[] = [];
  let pending: ContentPart[] = [];
  const flush = () => {
    if (pending.length) out.push({ at, role: "user", content: pending });
    pending = [];
  };
  blocks.forEach((b, j) => {
    const path = `${at}.content.${j}`;
    if (!isObject(b)) throw untranslatable(path, "this block", target);
    if (b.type === "tool_result" && typeof b.tool_use_id === "string") {
      checkFields(b, ["tool_use_id", "content", "is_error"], path, target);
      flush();
      const content = typeof b.content === "string" ? [{ type: "text" as const, text: b.content }] : Array.isArray(b.content) ? b.content.map((c, k) => part(c as Json, `${path}.content.${k}`, target)) : [];
      out.push({ at: path, role: "tool", toolCallId: b.tool_use_id, content, isError: b.is_error === true ? true : undefined });
    } else pending.push(part(b, path, target));
  });
  flush();
  return out;
}

function tools(list: Json[], target: string): ToolDefinition[] {
  return list.map((t, i) => {
    if (t.type !== undefined && t.type !== null && t.type !== "custom") throw untranslatable(`tools.${i}`, `the server tool '${String(t.type)}'`, target);
    for (const key of Object.keys(t)) if (!["name", "description", "input_schema", "type", "cache_control"].includes(key)) throw untranslatable(`tools.${i}.${key}`, `the tool field '${key}'`, target);
    return { name: String(t.name), description: typeof t.description === "string" ? t.description : undefined, parameters: isObject(t.input_schema) ? t.input_schema : { type: "object", properties: {} } };
  });
}

function toolChoice(choice: Json, target: string): { choice: ToolChoice; parallel: boolean | undefined } {
  const allowed = choice.type === "tool" ? ["type", "name", "disable_parallel_tool_use"] : choice.type === "none" ? ["type"] : ["type", "disable_parallel_tool_use"];
  for (const key of Object.keys(choice)) if (!allowed.includes(key)) throw untranslatable(`tool_choice.${key}`, `tool_choice.${key}`, target);
  const parallel = choice.disable_parallel_tool_use === true ? false : undefined;
  if (choice.type === "any") return { choice: { type: "required" }, parallel };
  if (choice.type === "tool" && typeof choice.name === "string") return { choice: { type: "tool", name: choice.name }, parallel };
  return { choice: { type: choice.type === "none" ? "none" : "auto" }, parallel };
}

export function anthropicToCanonical(body: MessagesRequest, target: string): ChatRequest {
  const paths: Partial<Record<NamedField, string>> = { maxTokens: "max_tokens" };
  const extras: Json = {};
  for (const [k, v] of Object.entries(body)) if (!CANONICAL_FIELDS.has(k) && v !== undefined) extras[k] = v;
  const system: Message[] = body.system === undefined ? [] : [{ at: "system", role: "system", content: textOf(body.system, "system", target) }];
  const choice = body.tool_choice ? toolChoice(body.tool_choice, target) : undefined;
  for (const key of Object.keys(body.metadata ?? {})) if (key !== "user_id") throw untranslatable(`metadata.${key}`, `metadata.${key}`, target);
  const output = isObject(body.output_config) ? body.output_config : undefined;
  if (output) for (const key of Object.keys(output)) if (key !== "format" || output[key] == null) throw untranslatable(`output_config.${key}`, `output_config.${key}`, target);
  const format = output && isObject(output.format) ? output.format : undefined;
  if (format) for (const key of Object.keys(format)) if (!(key === "type" && format.type === "json_schema") && !(key === "schema" && isObject(format.schema))) throw untranslatable(`output_config.format.${key}`, `output_config.format.${key}`, target);
  if (format && !isObject(format.schema)) throw untranslatable("output_config.format", "an output format without a JSON schema", target);
  const note = <T>(field: NamedField, name: string, value: T | undefined): T | undefined => ((value !== undefined && (paths[field] = name)), value);
  return {
    model: body.model,
    messages: [...system, ...body.messages.flatMap((m, i) => messages(m as Json, i, target))],
    tools: note("tools", "tools", body.tools ? tools(body.tools as Json[], target) : undefined),
    toolChoice: note("toolChoice", "tool_choice", choice?.choice),
    parallelToolCalls: note("parallelToolCalls", "tool_choice.disable_parallel_tool_use", choice?.parallel),
    maxTokens: body.max_tokens,
    temperature: note("temperature", "temperature", body.temperature),
    topP: note("topP", "top_p", body.top_p),
    topK: note("topK", "top_k", body.top_k),
    stop: note("stop", "stop_sequences", body.stop_sequences),
    responseFormat: note("responseFormat", "output_config.format", format && isObject(format.schema) ? { type: "json_schema" as const, name: "response", schema: format.schema } : undefined),
    user: note("user", "metadata.user_id", body.metadata?.user_id ?? undefined),
    stream: body.stream === true,
    extras: { dialect: "anthropic", fields: extras },
    paths,
  };
}
