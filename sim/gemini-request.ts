// Validation of Gemini generateContent requests, worded like the API's own INVALID_ARGUMENT answers.
import { HttpError } from "./http.ts";
import { isRecord, isStringArray } from "./json.ts";
import type { ToolMode, ToolSpec } from "./tools.ts";

/** What the simulator uses of a validated generateContent request. */
export interface GenerateRequest {
  /** Declared functions (under mode ANY with allowedFunctionNames: only the allowed ones). */
  tools: ToolSpec[];
  mode: ToolMode;
  parallel: boolean;
  /** generationConfig.maxOutputTokens. */
  maxTokens: number | undefined;
  /** Text of the last user content, where directives are read. */
  lastUserText: string;
  /** True when the last user content carries functionResponse parts. */
  resultsPending: boolean;
  /** Prompt token estimate: ceil(chars of system instruction, texts, function calls and responses / 4). */
  promptTokens: number;
}

const DATA_FIELDS = ["text", "inlineData", "fileData", "functionCall", "functionResponse"] as const;
const EXTRA_FIELDS = ["thought", "thoughtSignature", "videoMetadata"];

const bad = (message: string): HttpError => new HttpError(400, message);
const unknownName = (name: string, at: string): HttpError =>
  bad(`Invalid JSON payload received. Unknown name "${name}" at '${at}': Cannot find field.`);
const invalidValue = (at: string, kind: string, value: unknown): HttpError =>
  bad(`Invalid value at '${at}' (${kind}), ${JSON.stringify(value)}`);

function checkString(value: unknown, at: string): string {
  if (typeof value !== "string") throw invalidValue(at, "TYPE_STRING", value);
  return value;
}

/** Checks one part; returns the text it adds to the prompt estimate. */
function checkPart(part: unknown, at: string): string {
  if (!isRecord(part)) throw invalidValue(at, "type.googleapis.com/google.ai.generativelanguage.v1beta.Part", part);
  for (const key of Object.keys(part)) {
    if (!(DATA_FIELDS as readonly string[]).includes(key) && !EXTRA_FIELDS.includes(key)) throw unknownName(key, at);
  }
  const set = DATA_FIELDS.filter((k) => part[k] !== undefined);
  if (set.length === 0) throw bad(`* GenerateContentRequest.${at}.data: required oneof field 'data' must have one initialized field`);
  if (set.length > 1) throw bad(`Invalid JSON payload received. Oneof field 'data' is already set. Cannot set '${set[1]}' at '${at}'`);
  const value = part[set[0]!];
  switch (set[0]) {
    case "text":
      return checkString(value, `${at}.text`);
    case "inlineData":
      if (!isRecord(value)) throw invalidValue(`${at}.inline_data`, "Blob", value);
      checkString(value.mimeType, `${at}.inline_data.mime_type`);
      checkString(value.data, `${at}.inline_data.data`);
      return "";
    case "fileData":
      if (!isRecord(value)) throw invalidValue(`${at}.file_data`, "FileData", value);
      if (value.mimeType !== undefined) checkString(value.mimeType, `${at}.file_data.mime_type`);
      checkString(value.fileUri, `${at}.file_data.file_uri`);
      return "";
    case "functionCall":
      if (!isRecord(value)) throw invalidValue(`${at}.function_call`, "FunctionCall", value);
      checkString(value.name, `${at}.function_call.name`);
      if (value.args !== undefined && !isRecord(value.args)) throw invalidValue(`${at}.function_call.args`, "Struct", value.args);
      return JSON.stringify(value.args ?? {});
    default:
      if (!isRecord(value)) throw invalidValue(`${at}.function_response`, "FunctionResponse", value);
      checkString(value.name, `${at}.function_response.name`);
      if (!isRecord(value.response)) throw invalidValue(`${at}.function_response.response`, "Struct", value.response);
      return JSON.stringify(value.response);
  }
}

interface CheckedContent {
  role: string;
  parts: Record<string, unknown>[];
  text: string;
}

function checkContent(content: unknown, at: string): CheckedContent {
  if (!isRecord(content)) throw invalidValue(at, "type.googleapis.com/google.ai.generativelanguage.v1beta.Content", content);
  const role = content.role ?? "user";
  if (role !== "user" && role !== "model") throw bad("Please use a valid role: user, model.");
  if (!Array.isArray(content.parts) || content.parts.length === 0) throw bad(`* GenerateContentRequest.${at}.parts: contents.parts must not be empty.`);
  const text = content.parts.map((p, j) => checkPart(p, `${at}.parts[${j}]`)).join("");
  return { role, parts: content.parts as Record<string, unknown>[], text };
}

function parseTools(value: unknown): ToolSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidValue("tools", "type.googleapis.com/google.ai.generativelanguage.v1beta.Tool", value);
  const specs: ToolSpec[] = [];
  value.forEach((tool, i) => {
    if (!isRecord(tool)) throw invalidValue(`tools[${i}]`, "type.googleapis.com/google.ai.generativelanguage.v1beta.Tool", tool);
    const decls = tool.functionDeclarations;
    if (decls === undefined) return; // googleSearch, codeExecution, … are accepted but never called
    if (!Array.isArray(decls)) throw invalidValue(`tools[${i}].function_declarations`, "FunctionDeclaration", decls);
    decls.forEach((d, j) => {
      const at = `tools[${i}].function_declarations[${j}]`;
      if (!isRecord(d)) throw invalidValue(at, "FunctionDeclaration", d);
      const name = checkString(d.name, `${at}.name`);
      if (!/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,127}$/.test(name)) {
        throw bad(
          `* GenerateContentRequest.${at}.name: Invalid function name. Must start with a letter or an underscore. ` +
            "Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum length of 128.",
        );
      }
      if (d.description !== undefined) checkString(d.description, `${at}.description`);
      if (d.parameters !== undefined && !isRecord(d.parameters)) throw invalidValue(`${at}.parameters`, "Schema", d.parameters);
      specs.push({ name, schema: d.parameters });
    });
  });
  return specs;
}

function parseMode(toolConfig: unknown, tools: ToolSpec[]): { mode: ToolMode; tools: ToolSpec[] } {
  if (toolConfig === undefined) return { mode: { kind: "auto" }, tools };
  if (!isRecord(toolConfig)) throw invalidValue("tool_config", "ToolConfig", toolConfig);
  const cfg = toolConfig.functionCallingConfig;
  if (cfg === undefined) return { mode: { kind: "auto" }, tools };
  if (!isRecord(cfg)) throw invalidValue("tool_config.function_calling_config", "FunctionCallingConfig", cfg);
  const mode = cfg.mode ?? "AUTO";
  if (!["AUTO", "ANY", "NONE", "VALIDATED", "MODE_UNSPECIFIED"].includes(mode as string)) {
    throw invalidValue("tool_config.function_calling_config.mode", "TYPE_ENUM", mode);
  }
  const allowed = cfg.allowedFunctionNames;
  if (allowed !== undefined && !isStringArray(allowed)) throw invalidValue("tool_config.function_calling_config.allowed_function_names", "TYPE_STRING", allowed);
  if (mode === "NONE") return { mode: { kind: "none" }, tools };
  if (mode !== "ANY") return { mode: { kind: "auto" }, tools };
  if (tools.length === 0) {
    throw bad("* GenerateContentRequest.tool_config.function_calling_config.mode: specified function calling mode ANY requires function declarations.");
  }
  if (allowed === undefined || allowed.length === 0) return { mode: { kind: "any" }, tools };
  const missing = allowed.filter((n) => !tools.some((t) => t.name === n));
  if (missing.length > 0) {
    throw bad(`* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: function ${missing[0]} is not declared in tools.`);
  }
  return { mode: { kind: "any" }, tools: tools.filter((t) => allowed.includes(t.name)) };
}

function checkGenerationConfig(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw invalidValue("generation_config", "GenerationConfig", value);
  const int = (key: string, at: string, min: number): number | undefined => {
    const v = value[key];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v)) throw invalidValue(`generation_config.${at}`, "TYPE_INT32", v);
    if (v < min) throw bad(`* GenerateContentRequest.generation_config.${at}: must be >= ${min}`);
    return v;
  };
  const num = (key: string, at: string): void => {
    const v = value[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v))) throw invalidValue(`generation_config.${at}`, "TYPE_FLOAT", v);
  };
  num("temperature", "temperature");
  num("topP", "top_p");
  int("topK", "top_k", 0);
  int("candidateCount", "candidate_count", 1);
  if (value.stopSequences !== undefined && !isStringArray(value.stopSequences)) {
    throw invalidValue("generation_config.stop_sequences", "TYPE_STRING", value.stopSequences);
  }
  if (value.responseMimeType !== undefined) checkString(value.responseMimeType, "generation_config.response_mime_type");
  if (value.responseSchema !== undefined && !isRecord(value.responseSchema)) {
    throw invalidValue("generation_config.response_schema", "Schema", value.responseSchema);
  }
  return int("maxOutputTokens", "max_output_tokens", 1);
}

/** Validates a generateContent body. @throws HttpError 400 (INVALID_ARGUMENT). */
export function parseGenerateRequest(body: unknown): GenerateRequest {
  if (!isRecord(body)) throw bad("Invalid JSON payload received. Expected an object.");
  if (!Array.isArray(body.contents) || body.contents.length === 0) throw bad("* GenerateContentRequest.contents: contents is not specified");
  const contents = body.contents.map((c, i) => checkContent(c, `contents[${i}]`));
  let system = "";
  if (body.systemInstruction !== undefined) system = checkContent(body.systemInstruction, "system_instruction").text;
  if (body.safetySettings !== undefined) {
    if (!Array.isArray(body.safetySettings)) throw invalidValue("safety_settings", "SafetySetting", body.safetySettings);
    body.safetySettings.forEach((s, i) => {
      if (!isRecord(s)) throw invalidValue(`safety_settings[${i}]`, "SafetySetting", s);
      checkString(s.category, `safety_settings[${i}].category`);
      checkString(s.threshold, `safety_settings[${i}].threshold`);
    });
  }
  const maxTokens = checkGenerationConfig(body.generationConfig);
  const { mode, tools } = parseMode(body.toolConfig, parseTools(body.tools));
  const lastUser = [...contents].reverse().find((c) => c.role === "user");
  const chars = system.length + contents.reduce((sum, c) => sum + c.text.length, 0);
  return {
    tools,
    mode,
    parallel: true,
    maxTokens,
    lastUserText: lastUser ? lastUser.parts.map((p) => (typeof p.text === "string" ? p.text : "")).join("") : "",
    resultsPending: lastUser?.parts.some((p) => p.functionResponse !== undefined) ?? false,
    promptTokens: Math.ceil(chars / 4),
  };
}
