// OpenAI chat tool calls: tools / tool_choice validation and the tool_calls answer, plain and streamed.
import type { CompletionMeta, Usage } from "./completions.ts";
import { chunkBody, sse, usageChunkBody } from "./completions.ts";
import type { LlmContext } from "./context.ts";
import type { Frame, StreamFault } from "./framestream.ts";
import { layoutFrames, streamFrames } from "./framestream.ts";
import { HttpError } from "./http.ts";
import { isRecord } from "./json.ts";
import { OPENAI_SSE, openaiFaultFrames } from "./stream.ts";
import type { ToolCall, ToolMode, ToolSpec } from "./tools.ts";
import { splitPieces } from "./tools.ts";

/** The tool fields of a chat request. */
export interface ChatTools {
  tools: ToolSpec[];
  mode: ToolMode;
  /** False when `parallel_tool_calls` is false. */
  parallel: boolean;
}

const invalid = (param: string, message: string): HttpError => new HttpError(400, message, { param, code: "invalid_value" });
const missing = (param: string): HttpError =>
  new HttpError(400, `Missing required parameter: '${param}'.`, { param, code: "missing_required_parameter" });

function parseTools(value: unknown): ToolSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid("tools", "Invalid type for 'tools': expected an array of objects.");
  return value.map((tool, i) => {
    const at = `tools[${i}]`;
    if (!isRecord(tool)) throw invalid(at, `Invalid type for '${at}': expected an object.`);
    if (tool.type !== "function") throw invalid(`${at}.type`, `Invalid value for '${at}.type': supported values are: 'function'.`);
    const fn = tool.function;
    if (!isRecord(fn)) throw missing(`${at}.function`);
    if (typeof fn.name !== "string" || fn.name === "") throw missing(`${at}.function.name`);
    if (fn.parameters !== undefined && !isRecord(fn.parameters)) {
      throw invalid(`${at}.function.parameters`, `Invalid type for '${at}.function.parameters': expected an object.`);
    }
    return { name: fn.name, schema: fn.parameters };
  });
}

function parseToolChoice(value: unknown, tools: readonly ToolSpec[]): ToolMode {
  if (value === undefined || value === null || value === "auto") return { kind: "auto" };
  if (value === "none") return { kind: "none" };
  let mode: ToolMode;
  if (value === "required") mode = { kind: "any" };
  else if (isRecord(value) && value.type === "function" && isRecord(value.function) && typeof value.function.name === "string") {
    mode = { kind: "named", name: value.function.name };
  } else {
    const expected = `'none', 'auto', 'required' or {"type": "function", "function": {"name": …}}`;
    throw invalid("tool_choice", `Invalid value for 'tool_choice': expected ${expected}.`);
  }
  if (tools.length === 0) throw invalid("tool_choice", "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.");
  if (mode.kind === "named" && !tools.some((t) => t.name === mode.name)) {
    throw invalid("tool_choice", `Invalid value for 'tool_choice': no function named '${mode.name}' was specified in the 'tools' parameter.`);
  }
  return mode;
}

/** Validates `tools`, `tool_choice` and `parallel_tool_calls`. @throws HttpError 400. */
export function parseChatTools(body: Record<string, unknown>): ChatTools {
  const tools = parseTools(body.tools);
  const mode = parseToolChoice(body.tool_choice, tools);
  const p = body.parallel_tool_calls;
  if (p !== undefined && p !== null && typeof p !== "boolean") {
    throw invalid("parallel_tool_calls", "Invalid type for 'parallel_tool_calls': expected a boolean.");
  }
  return { tools, mode, parallel: p !== false };
}

/** Id of call `index` of request `seq`: `call_sim_<seq>_<index>`. */
export function toolCallId(seq: number, index: number): string {
  return `call_sim_${seq}_${index}`;
}

/** Non-streaming `chat.completion` whose message carries `tool_calls` (content null, finish_reason "tool_calls"). */
export function toolCallsBody(meta: CompletionMeta, seq: number, calls: readonly ToolCall[], u: Usage): object {
  const toolCalls = calls.map((c, i) => ({ id: toolCallId(seq, i), type: "function", function: { name: c.name, arguments: JSON.stringify(c.args) } }));
  return {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message: { role: "assistant", content: null, tool_calls: toolCalls, refusal: null }, logprobs: null, finish_reason: "tool_calls" }],
    usage: u,
    system_fingerprint: "fp_sim",
  };
}

/** What to stream for a tool-call answer. */
export interface ToolStreamPlan {
  meta: CompletionMeta;
  calls: readonly ToolCall[];
  usage: Usage;
  includeUsage: boolean;
  ttftMs: number;
  fault?: StreamFault;
}

/**
 * Streams tool calls as OpenAI does: the role chunk (content null); per call a chunk with its index, id, type,
 * name and empty arguments, then its arguments in 2-3 pieces (each chunk paced like a token); the finish
 * chunk ("tool_calls"), the optional usage chunk and `data: [DONE]`.
 */
export function streamToolCalls(ctx: LlmContext, plan: ToolStreamPlan): void {
  const { meta, includeUsage } = plan;
  const chunk = (delta: object): string => sse(chunkBody(meta, delta, null, includeUsage));
  const frames: Frame[] = [{ text: chunk({ role: "assistant", content: null }), paced: false }];
  plan.calls.forEach((c, index) => {
    const head = { index, id: toolCallId(ctx.seq, index), type: "function", function: { name: c.name, arguments: "" } };
    frames.push({ text: chunk({ tool_calls: [head] }), paced: true });
    for (const piece of splitPieces(JSON.stringify(c.args))) {
      frames.push({ text: chunk({ tool_calls: [{ index, function: { arguments: piece } }] }), paced: true });
    }
  });
  const { head, steps } = layoutFrames(frames);
  streamFrames(ctx, {
    contentType: OPENAI_SSE,
    ttftMs: plan.ttftMs,
    head,
    steps: steps.length,
    step: (i) => steps[i]!,
    tail: () =>
      sse(chunkBody(meta, {}, "tool_calls", includeUsage)) + (includeUsage ? sse(usageChunkBody(meta, plan.usage)) : "") + sse("[DONE]"),
    fault: plan.fault,
    ...openaiFaultFrames(ctx, meta),
  });
}
