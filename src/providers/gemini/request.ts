/**
 * A canonical request as a Gemini `generateContent` body. System messages must lead (Gemini has
 * one system instruction); tool results go back as `functionResponse` parts named after the call
 * they answer; images must be inline data (Gemini does not fetch URLs); tool schemas are cut to
 * the OpenAPI subset Gemini reads.
 */
import type { ChatRequest, ContentPart, Message } from "../../core/canonical.ts";
import { untranslatable } from "../../core/untranslatable.ts";
import { signatureOf } from "./call-id.ts";

type Json = Record<string, unknown>;

/** OpenAI fields with a Gemini generationConfig counterpart. */
const GENERATION_EXTRAS: Record<string, string> = { seed: "seed", presence_penalty: "presencePenalty", frequency_penalty: "frequencyPenalty" };
/** OpenAI fields Gemini has no use for at their default values. */
const HARMLESS_DEFAULTS: Record<string, unknown> = { n: 1, logprobs: false };
/** JSON Schema keywords Gemini's schema does not read; they only constrain validation, not shape. */
const DROPPED_SCHEMA_KEYS = new Set(["$schema", "additionalProperties", "strict", "title", "examples", "$id", "$comment"]);

/** A JSON Schema cut to what Gemini reads; `$ref` and `definitions` cannot be sent. */
export function geminiSchemaOf(schema: unknown, at: string, target: string): unknown {
  if (Array.isArray(schema)) return schema.map((s, i) => geminiSchemaOf(s, `${at}.${i}`, target));
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$ref" || key === "$defs" || key === "definitions") throw untranslatable(`${at}.${key}`, `a schema with '${key}'`, target);
    if (DROPPED_SCHEMA_KEYS.has(key)) continue;
    out[key] = key === "properties" && typeof value === "object" && value !== null ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, geminiSchemaOf(v, `${at}.properties.${k}`, target)])) : geminiSchemaOf(value, `${at}.${key}`, target);
  }
  return out;
}

function partOf(p: ContentPart, at: string, target: string): Json {
  if (p.type === "text") return { text: p.text };
  if (p.source.kind === "url") throw untranslatable(at, "an image by URL (send it as base64 data)", target);
  return { inlineData: { mimeType: p.source.mediaType, data: p.source.data } };
}

function contentsOf(list: Message[], target: string): { system: string[]; contents: Json[] } {
  const system: string[] = [];
  const contents: Json[] = [];
  const callNames = new Map<string, string>();
  let leading = true;
  for (const m of list) {
    if (m.role === "system") {
      if (!leading) throw untranslatable(m.at, "a system message after the conversation started", target);
      system.push(m.content);
      continue;
    }
    leading = false;
    if (m.role === "user") contents.push({ role: "user", parts: m.content.map((p, i) => partOf(p, `${m.at}.content.${i}`, target)) });
    else if (m.role === "assistant") {
      const parts: Json[] = m.content ? [{ text: m.content }] : [];
      for (const c of m.toolCalls) {
        callNames.set(c.id, c.name);
        let args: unknown;
        try {
          args = c.arguments ? JSON.parse(c.arguments) : {};
        } catch {
          throw untranslatable(`${m.at}.tool_calls`, "tool call arguments that are not JSON", target);
        }
        const signature = signatureOf(c.id);
        parts.push({ functionCall: { name: c.name, args }, ...(signature ? { thoughtSignature: signature } : {}) });
      }
      contents.push({ role: "model", parts });
    } else {
      const name = callNames.get(m.toolCallId);
      if (!name) throw untranslatable(m.at, `a tool result for '${m.toolCallId}', a call not in the conversation`, target);
      const text = m.content.map((p, i) => (p.type === "text" ? p.text : (() => { throw untranslatable(`${m.at}.content.${i}`, "an image in a tool result", target); })())).join("");
      const part = { functionResponse: { name, response: m.isError ? { error: text } : { content: text } } };
      const last = contents.at(-1);
      // Results of one turn's calls go back together.
      if (last?.role === "user" && (last.parts as Json[]).every((p) => "functionResponse" in p)) (last.parts as Json[]).push(part);
      else contents.push({ role: "user", parts: [part] });
    }
  }
  return { system, contents };
}

export function geminiRequestOf(req: ChatRequest, target: string): Json {
  const generationConfig: Json = {};
  for (const [field, value] of Object.entries(req.extras.fields)) {
    if (req.extras.dialect === "openai" && GENERATION_EXTRAS[field]) generationConfig[GENERATION_EXTRAS[field]] = value;
    else if (!(req.extras.dialect === "openai" && HARMLESS_DEFAULTS[field] === value)) throw untranslatable(field, `'${field}'`, target);
  }
  if (req.user !== undefined) throw untranslatable(req.paths.user ?? "user", "an end-user id", target);
  if (req.parallelToolCalls === false) throw untranslatable(req.paths.parallelToolCalls ?? "parallel_tool_calls", "turning parallel tool calls off", target);
  const { system, contents } = contentsOf(req.messages, target);
  const body: Json = { contents };
  if (system.length) body.systemInstruction = { parts: system.map((text) => ({ text })) };
  if (req.tools) body.tools = [{ functionDeclarations: req.tools.map((t, i) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), parameters: geminiSchemaOf(t.parameters, `${req.paths.tools ?? "tools"}.${i}`, target) })) }];
  if (req.toolChoice) {
    const c = req.toolChoice;
    body.toolConfig = { functionCallingConfig: c.type === "tool" ? { mode: "ANY", allowedFunctionNames: [c.name] } : { mode: c.type === "required" ? "ANY" : c.type === "none" ? "NONE" : "AUTO" } };
  }
  if (req.maxTokens !== undefined) generationConfig.maxOutputTokens = req.maxTokens;
  if (req.temperature !== undefined) generationConfig.temperature = req.temperature;
  if (req.topP !== undefined) generationConfig.topP = req.topP;
  if (req.topK !== undefined) generationConfig.topK = req.topK;
  if (req.stop) generationConfig.stopSequences = req.stop;
  if (req.responseFormat && req.responseFormat.type !== "text") {
    generationConfig.responseMimeType = "application/json";
    if (req.responseFormat.type === "json_schema") generationConfig.responseSchema = geminiSchemaOf(req.responseFormat.schema, req.paths.responseFormat ?? "response_format", target);
  }
  if (Object.keys(generationConfig).length) body.generationConfig = generationConfig;
  return body;
}
