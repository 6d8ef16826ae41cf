// Tool calls shared by every format: which tools an answer calls, deterministic arguments from a JSON schema, argument pieces.
import { HttpError } from "./http.ts";
import { isRecord } from "./json.ts";

/** A tool the request offers: its name and the JSON schema of its arguments (may be undefined). */
export interface ToolSpec {
  name: string;
  schema: unknown;
}

/** How the request lets the model use tools (each format's tool_choice mapped onto one scale). */
export type ToolMode = { kind: "none" } | { kind: "auto" } | { kind: "any" } | { kind: "named"; name: string };

/** One tool call of an answer. */
export interface ToolCall {
  name: string;
  args: Record<string, unknown>;
}

/** What decides the tool calls of one answer. */
export interface ToolChoiceInput {
  /** Tools the request offers (for Gemini under mode ANY: the allowed ones). */
  tools: readonly ToolSpec[];
  mode: ToolMode;
  /** Names from `[sim:tool=NAME]` directives of the last user turn, in order (none when already answered). */
  directed: readonly string[] | undefined;
  /** True when the request carries results of the previous calls: a forced choice (any, named) no longer applies. */
  resultsPending: boolean;
  /** False when the request allows at most one call. */
  parallel: boolean;
}

/** Lower-case type name of a schema (the first non-null one of a type list; Gemini spells types in upper case). */
const typeOf = (schema: Record<string, unknown>): string | undefined => {
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== "null" && x !== "NULL") : schema.type;
  return typeof t === "string" ? t.toLowerCase() : undefined;
};

/** Deterministic value for a JSON schema: the first enum value, else by type (string "sample", number 1, boolean true, [] , {}). */
export function sampleValue(schema: unknown): unknown {
  if (!isRecord(schema)) return "sample";
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (typeOf(schema)) {
    case "number":
    case "integer":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [];
    case "object":
      return {};
    case "null":
      return null;
    default:
      return "sample";
  }
}

/** Arguments for an object schema: its required properties (all properties when `required` is absent), each sampled. */
export function sampleArgs(schema: unknown): Record<string, unknown> {
  const s = isRecord(schema) ? schema : {};
  const props = isRecord(s.properties) ? s.properties : {};
  const names = Array.isArray(s.required) ? s.required.filter((n): n is string => typeof n === "string") : Object.keys(props);
  const args: Record<string, unknown> = {};
  for (const name of names) args[name] = sampleValue(props[name]);
  return args;
}

/**
 * Picks the calls of an answer. Directive names are always checked against the offered tools. No calls under
 * mode none or without tools; else the named tool (unless results are pending); else the directive tools; else
 * the first tool under "any" (unless results are pending); otherwise none, a text answer. Without `parallel` at
 * most one call is made.
 * @throws HttpError 400 when a directive names a tool the request does not offer.
 */
export function chooseToolCalls(input: ToolChoiceInput): ToolCall[] {
  const byName = new Map(input.tools.map((t) => [t.name, t]));
  for (const name of input.directed ?? []) {
    if (!byName.has(name)) {
      const offered = input.tools.length === 0 ? "none" : input.tools.map((t) => t.name).join(", ");
      throw new HttpError(400, `[sim:tool=${name}] names a tool this request does not offer (tools: ${offered}).`);
    }
  }
  const { mode, resultsPending } = input;
  if (mode.kind === "none" || input.tools.length === 0) return [];
  let names: string[];
  if (mode.kind === "named" && !resultsPending) names = [mode.name];
  else if (input.directed && input.directed.length > 0) names = [...input.directed];
  else if (mode.kind === "any" && !resultsPending) names = [input.tools[0]!.name];
  else return [];
  if (!input.parallel) names = names.slice(0, 1);
  return names.map((name) => ({ name, args: sampleArgs(byName.get(name)?.schema) }));
}

/** Splits `text` into 3 pieces (2 when shorter than 3 characters, 1 when shorter than 2) that join back to it. */
export function splitPieces(text: string): string[] {
  if (text.length < 2) return [text];
  if (text.length < 3) return [text.slice(0, 1), text.slice(1)];
  const a = Math.floor(text.length / 3);
  const b = Math.floor((2 * text.length) / 3);
  return [text.slice(0, a), text.slice(a, b), text.slice(b)];
}

/** Output tokens billed for tool calls: the token estimate of each name plus its JSON arguments. */
export function toolCallTokens(calls: readonly ToolCall[]): number {
  return calls.reduce((sum, c) => sum + Math.ceil((c.name.length + JSON.stringify(c.args).length) / 4), 0);
}
