/**
 * A canonical request as an Anthropic Messages body. Leading system messages become `system`,
 * later ones `role: "system"` messages; consecutive tool results become one user turn of
 * `tool_result` blocks; JSON output goes through `output_config.format`.
 */
import type { ChatRequest, ContentPart, Message } from "../../core/canonical.ts";
import { untranslatable } from "../../core/untranslatable.ts";

type Json = Record<string, unknown>;

/** Sent when a call asks for no output cap (Anthropic requires one) and its model has none configured. */
export const DEFAULT_MAX_TOKENS = 4096;

/** OpenAI fields Anthropic has no use for at their default values. */
const HARMLESS_DEFAULTS: Record<string, unknown> = { n: 1, logprobs: false, presence_penalty: 0, frequency_penalty: 0 };

function blockOf(p: ContentPart): Json {
  if (p.type === "text") return { type: "text", text: p.text };
  return { type: "image", source: p.source.kind === "url" ? { type: "url", url: p.source.url } : { type: "base64", media_type: p.source.mediaType, data: p.source.data } };
}

function inputOf(args: string, at: string, target: string): unknown {
  try {
    return args ? JSON.parse(args) : {};
  } catch {
    throw untranslatable(`${at}.tool_calls`, "tool call arguments that are not JSON", target);
  }
}

function messagesOf(list: Message[], target: string): { system: string[]; messages: Json[] } {
  const system: string[] = [];
  const messages: Json[] = [];
  let leading = true;
  for (const m of list) {
    if (m.role === "system") {
      if (leading) system.push(m.content);
      else messages.push({ role: "system", content: m.content });
      continue;
    }
    leading = false;
    if (m.role === "user") messages.push({ role: "user", content: m.content.map(blockOf) });
    else if (m.role === "assistant") {
      const content: Json[] = [...(m.content ? [{ type: "text", text: m.content }] : []), ...m.toolCalls.map((c) => ({ type: "tool_use", id: c.id, name: c.name, input: inputOf(c.arguments, m.at, target) }))];
      messages.push({ role: "assistant", content });
    } else {
      const result = { type: "tool_result", tool_use_id: m.toolCallId, content: m.content.map(blockOf), ...(m.isError ? { is_error: true } : {}) };
      const last = messages.at(-1);
      // Tool results of one turn go back together, in one user message.
      if (last?.role === "user" && Array.isArray(last.content) && (last.content as Json[]).every((b) => b.type === "tool_result")) (last.content as Json[]).push(result);
      else messages.push({ role: "user", content: [result] });
    }
  }
  return { system, messages };
}

export function anthropicRequestOf(req: ChatRequest, upstreamModel: string, defaultMaxTokens: number, target: string): Json {
  const extras = req.extras.dialect === "anthropic" ? req.extras.fields : {};
  if (req.extras.dialect !== "anthropic") {
    for (const [field, value] of Object.entries(req.extras.fields)) if (HARMLESS_DEFAULTS[field] !== value) throw untranslatable(field, `'${field}'`, target);
  }
  if (req.temperature !== undefined && req.temperature > 1) throw untranslatable(req.paths.temperature ?? "temperature", `temperature above 1 (${req.temperature})`, target);
  const { system, messages } = messagesOf(req.messages, target);
  const body: Json = { ...extras, model: upstreamModel, max_tokens: req.maxTokens ?? defaultMaxTokens, messages };
  if (system.length) body.system = system.join("\n\n");
  if (req.tools) body.tools = req.tools.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), input_schema: t.parameters }));
  if (req.toolChoice || req.parallelToolCalls === false) {
    const c = req.toolChoice ?? { type: "auto" as const };
    body.tool_choice = { ...(c.type === "required" ? { type: "any" } : c.type === "tool" ? { type: "tool", name: c.name } : { type: c.type }), ...(req.parallelToolCalls === false && c.type !== "none" ? { disable_parallel_tool_use: true } : {}) };
  }
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.topK !== undefined) body.top_k = req.topK;
  if (req.stop) body.stop_sequences = req.stop;
  if (req.responseFormat && req.responseFormat.type !== "text") {
    body.output_config = { format: { type: "json_schema", schema: req.responseFormat.type === "json_schema" ? req.responseFormat.schema : { type: "object" } } };
  }
  if (req.user !== undefined) body.metadata = { user_id: req.user };
  if (req.stream) body.stream = true;
  return body;
}
