/**
 * A canonical request as an OpenAI chat completion body, for callers of another dialect reaching
 * an OpenAI-wire provider (OpenAI, Azure, token-auth and the compatible presets).
 */
import type { ChatRequest, ContentPart, Message } from "../../core/canonical.ts";
import { untranslatable } from "../../core/untranslatable.ts";
import type { ProviderPreset } from "../presets.ts";

type Json = Record<string, unknown>;

function partOf(p: ContentPart): Json {
  if (p.type === "text") return { type: "text", text: p.text };
  const url = p.source.kind === "url" ? p.source.url : `data:${p.source.mediaType};base64,${p.source.data}`;
  return { type: "image_url", image_url: { url } };
}

function textOf(parts: ContentPart[], at: string, target: string): string {
  return parts
    .map((p, i) => {
      if (p.type !== "text") throw untranslatable(`${at}.content.${i}`, "an image in a tool result", target);
      return p.text;
    })
    .join("");
}

function messageOf(m: Message, target: string): Json {
  switch (m.role) {
    case "system":
      return { role: "system", content: m.content };
    case "user":
      return { role: "user", content: m.content.length === 1 && m.content[0]!.type === "text" ? m.content[0]!.text : m.content.map(partOf) };
    case "assistant":
      return {
        role: "assistant",
        content: m.content || (m.toolCalls.length ? null : ""),
        ...(m.toolCalls.length ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })) } : {}),
      };
    case "tool": {
      // OpenAI's tool messages have no error flag: the result says so in words.
      const text = textOf(m.content, m.at, target);
      return { role: "tool", tool_call_id: m.toolCallId, content: m.isError ? `Error: ${text}` : text };
    }
  }
}

export function openaiRequestOf(req: ChatRequest, upstreamModel: string, preset: ProviderPreset, target: string): Json {
  if (req.extras.dialect !== "openai") {
    const first = Object.keys(req.extras.fields)[0];
    if (first) throw untranslatable(first, `'${first}'`, target);
  }
  if (req.topK !== undefined && !preset.acceptsTopK) throw untranslatable(req.paths.topK ?? "top_k", "top_k", target);
  const body: Json = {
    ...(req.extras.dialect === "openai" ? req.extras.fields : {}),
    model: upstreamModel,
    messages: req.messages.map((m) => messageOf(m, target)),
  };
  if (req.tools) body.tools = req.tools.map((t) => ({ type: "function", function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.parameters } }));
  if (req.toolChoice) body.tool_choice = req.toolChoice.type === "tool" ? { type: "function", function: { name: req.toolChoice.name } } : req.toolChoice.type;
  if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  if (req.maxTokens !== undefined) body[preset.maxTokensField ?? "max_tokens"] = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.topK !== undefined) body.top_k = req.topK;
  if (req.stop) body.stop = req.stop;
  if (req.responseFormat) {
    const f = req.responseFormat;
    body.response_format = f.type === "json_schema" ? { type: "json_schema", json_schema: { name: f.name, schema: f.schema, ...(f.strict ? { strict: true } : {}) } } : { type: f.type };
  }
  if (req.user !== undefined) body.user = req.user;
  if (req.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}
