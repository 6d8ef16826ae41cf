/**
 * An OpenAI chat completion request as a canonical request, for a provider of another dialect.
 * Fields the canonical model has no slot for travel in `extras`; content it cannot hold (audio,
 * files, legacy function messages) is refused here, by the caller's field names.
 */
import type { ChatRequest, ContentPart, Message, NamedField, ResponseFormat, ToolChoice, ToolDefinition } from "../../core/canonical.ts";
import { untranslatable } from "../../core/untranslatable.ts";
import { GATEWAY_ONLY_FIELDS, type ChatCompletionRequest } from "./schema.ts";

/** Fields this module reads into canonical slots; everything else is an extra. */
const CANONICAL_FIELDS = new Set(["model", "messages", "tools", "tool_choice", "parallel_tool_calls", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "response_format", "user", "stream", "stream_options", ...GATEWAY_ONLY_FIELDS]);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export function openaiToCanonical(body: ChatCompletionRequest, target: string): ChatRequest {
  const paths: Partial<Record<NamedField, string>> = {};
  const set = <T>(field: NamedField, name: string, value: T | null | undefined): T | undefined => {
    if (value === undefined || value === null) return undefined;
    paths[field] = name;
    return value;
  };
  const extras: Json = {};
  for (const [k, v] of Object.entries(body)) if (!CANONICAL_FIELDS.has(k) && v !== undefined) extras[k] = v;
  const maxTokensField = body.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens";
  // Both caps set: which one the caller meant cannot be told, and one would be dropped.
  if (body.max_completion_tokens != null && body.max_tokens != null) throw untranslatable("max_tokens", "max_tokens beside max_completion_tokens (send one)", target);
  for (const key of Object.keys(body.stream_options ?? {})) if (key !== "include_usage") throw untranslatable(`stream_options.${key}`, `stream_options.${key}`, target);
  const stop = body.stop as unknown;
  return {
    model: body.model,
    messages: body.messages.map((m, i) => message(m as Json, `messages.${i}`, target)),
    tools: set("tools", "tools", body.tools === undefined ? undefined : tools(body.tools, target)),
    toolChoice: set("toolChoice", "tool_choice", body.tool_choice === undefined ? undefined : toolChoice(body.tool_choice, target)),
    parallelToolCalls: set("parallelToolCalls", "parallel_tool_calls", body.parallel_tool_calls as boolean | undefined),
    maxTokens: set("maxTokens", maxTokensField, body.max_completion_tokens ?? body.max_tokens),
    temperature: set("temperature", "temperature", body.temperature),
    topP: set("topP", "top_p", body.top_p),
    stop: set("stop", "stop", typeof stop === "string" ? [stop] : Array.isArray(stop) ? (stop as string[]) : undefined),
    responseFormat: set("responseFormat", "response_format", body.response_format === undefined ? undefined : responseFormat(body.response_format, target)),
    user: set("user", "user", typeof body.user === "string" ? body.user : undefined),
    stream: body.stream === true,
    extras: { dialect: "openai", fields: extras },
    paths,
  };
}

function text(content: unknown, at: string, target: string): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (!Array.isArray(content)) throw untranslatable(`${at}.content`, "this content", target);
  return content
    .map((p, i) => {
      if (isObject(p) && p.type === "text" && typeof p.text === "string") return p.text;
      throw untranslatable(`${at}.content.${i}`, `a '${isObject(p) ? String(p.type) : typeof p}' part`, target);
    })
    .join("");
}

function parts(content: unknown, at: string, target: string): ContentPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (!Array.isArray(content)) return [];
  return content.map((p, i): ContentPart => {
    const path = `${at}.content.${i}`;
    if (!isObject(p)) throw untranslatable(path, "this content part", target);
    if (p.type === "text" && typeof p.text === "string") return { type: "text", text: p.text };
    if (p.type === "image_url" && isObject(p.image_url) && typeof p.image_url.url === "string") {
      const detail = p.image_url.detail;
      if (detail !== undefined && detail !== "auto") throw untranslatable(`${path}.image_url.detail`, `image detail '${String(detail)}'`, target);
      const data = /^data:([^;,]+);base64,(.*)$/s.exec(p.image_url.url);
      return { type: "image", source: data ? { kind: "base64", mediaType: data[1]!, data: data[2]! } : { kind: "url", url: p.image_url.url } };
    }
    throw untranslatable(path, `a '${String(p.type)}' part`, target);
  });
}

function message(m: Json, at: string, target: string): Message {
  const known = new Set(["role", "content", "name", "tool_calls", "tool_call_id", "refusal"]);
  for (const k of Object.keys(m)) if (!known.has(k)) throw untranslatable(`${at}.${k}`, `the message field '${k}'`, target);
  if (m.name !== undefined) throw untranslatable(`${at}.name`, "a participant name", target);
  switch (m.role) {
    case "system":
    case "developer":
      return { at, role: "system", content: text(m.content, at, target) };
    case "user":
      return { at, role: "user", content: parts(m.content, at, target) };
    case "assistant": {
      const calls = Array.isArray(m.tool_calls) ? m.tool_calls : [];
      return {
        at,
        role: "assistant",
        content: text(m.content, at, target),
        toolCalls: calls.map((c, i) => {
          const fn = isObject(c) && isObject(c.function) ? c.function : undefined;
          if (!isObject(c) || c.type !== "function" || !fn || typeof fn.name !== "string") throw untranslatable(`${at}.tool_calls.${i}`, "this tool call", target);
          return { id: String(c.id ?? `call_${i}`), name: fn.name, arguments: typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments ?? {}) };
        }),
      };
    }
    case "tool":
      if (typeof m.tool_call_id !== "string") throw untranslatable(`${at}.tool_call_id`, "a tool result without tool_call_id", target);
      return { at, role: "tool", toolCallId: m.tool_call_id, content: parts(m.content, at, target) };
    default:
      throw untranslatable(`${at}.role`, `a '${String(m.role)}' message`, target);
  }
}

function tools(value: unknown, target: string): ToolDefinition[] {
  if (!Array.isArray(value)) throw untranslatable("tools", "this tools value", target);
  return value.map((t, i) => {
    const fn = isObject(t) && isObject(t.function) ? t.function : undefined;
    if (!isObject(t) || t.type !== "function" || !fn || typeof fn.name !== "string") throw untranslatable(`tools.${i}`, `a '${isObject(t) ? String(t.type) : typeof t}' tool`, target);
    if (fn.strict === true) throw untranslatable(`tools.${i}.function.strict`, "strict function schemas", target);
    return { name: fn.name, description: typeof fn.description === "string" ? fn.description : undefined, parameters: isObject(fn.parameters) ? fn.parameters : { type: "object", properties: {} } };
  });
}

function toolChoice(value: unknown, target: string): ToolChoice {
  if (value === "auto" || value === "none" || value === "required") return { type: value };
  if (isObject(value) && value.type === "function" && isObject(value.function) && typeof value.function.name === "string") return { type: "tool", name: value.function.name };
  throw untranslatable("tool_choice", "this tool_choice", target);
}

function responseFormat(value: unknown, target: string): ResponseFormat {
  if (isObject(value) && (value.type === "text" || value.type === "json_object")) return { type: value.type };
  if (isObject(value) && value.type === "json_schema" && isObject(value.json_schema) && isObject(value.json_schema.schema)) {
    const js = value.json_schema;
    for (const key of Object.keys(js)) if (!["name", "schema", "strict"].includes(key)) throw untranslatable(`response_format.json_schema.${key}`, `response_format.json_schema.${key}`, target);
    return { type: "json_schema", name: typeof js.name === "string" ? js.name : "response", schema: js.schema as Json, strict: js.strict === true ? true : undefined };
  }
  throw untranslatable("response_format", "this response_format", target);
}
