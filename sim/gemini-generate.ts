// POST /v1beta/models/{model}:generateContent and :streamGenerateContent: Gemini response bodies and stream chunks.
import { deliver } from "./answer.ts";
import { completionText, tokenText } from "./completions.ts";
import type { LlmContext } from "./context.ts";
import { parseDirectives } from "./directives.ts";
import type { StreamFault } from "./framestream.ts";
import { CUT_AFTER_STEPS, streamFrames } from "./framestream.ts";
import { geminiErrorBody } from "./gemini.ts";
import { parseGenerateRequest } from "./gemini-request.ts";
import { readJson } from "./http.ts";
import { totalLatencyMs } from "./pacing.ts";
import type { ToolCall } from "./tools.ts";
import { chooseToolCalls, toolCallTokens } from "./tools.ts";

/** Which method of which model was called. */
export interface GenerateTarget {
  model: string;
  /** True for streamGenerateContent. */
  stream: boolean;
  /** True with `?alt=sse` (SSE); a stream without it is one JSON array sent piecewise. */
  sse: boolean;
}

/** The answer: text of `tokens` tokens, or function calls. */
export interface GeneratePlan {
  model: string;
  responseId: string;
  tokens: number;
  calls: ToolCall[];
  finishReason: "STOP" | "MAX_TOKENS";
  promptTokens: number;
  outputTokens: number;
}

/** One response object; `final` adds finishReason and usageMetadata. */
function responseBody(plan: GeneratePlan, parts: object[], final: boolean): object {
  const candidate = { content: { role: "model", parts }, ...(final ? { finishReason: plan.finishReason } : {}), index: 0 };
  const usage = { promptTokenCount: plan.promptTokens, candidatesTokenCount: plan.outputTokens, totalTokenCount: plan.promptTokens + plan.outputTokens };
  return { candidates: [candidate], ...(final ? { usageMetadata: usage } : {}), modelVersion: plan.model, responseId: plan.responseId };
}

const callParts = (calls: readonly ToolCall[]): object[] => calls.map((c) => ({ functionCall: { name: c.name, args: c.args } }));

/** Non-streaming generateContent body. */
export function generateBody(plan: GeneratePlan): object {
  return responseBody(plan, plan.calls.length > 0 ? callParts(plan.calls) : [{ text: completionText(plan.tokens) }], true);
}

/**
 * Streams the answer: a chunk per token (text in candidates[0].content.parts[0].text), then a final chunk with
 * empty text, finishReason and usageMetadata; function calls come whole in one final chunk. With SSE every
 * chunk is `data: JSON\r\n\r\n` (no [DONE]); otherwise the chunks are the elements of one JSON array.
 */
export function streamGenerate(ctx: LlmContext, target: GenerateTarget, plan: GeneratePlan, ttftMs: number, fault?: StreamFault): void {
  const chunks = plan.calls.length > 0 ? 0 : plan.tokens;
  const last = (): object => responseBody(plan, plan.calls.length > 0 ? callParts(plan.calls) : [{ text: "" }], true);
  const encode = (body: object, index: number): string =>
    target.sse ? `data: ${JSON.stringify(body)}\r\n\r\n` : `${index === 0 ? "" : ",\r\n"}${JSON.stringify(body)}`;
  const errorBody = (): object => geminiErrorBody(ctx.dialect.faultError("503"));
  const broken = `{"candidates":[{"content":{"role":"model","parts":[{"text":"tok1`;
  streamFrames(ctx, {
    contentType: target.sse ? "text/event-stream" : "application/json; charset=UTF-8",
    ttftMs,
    head: target.sse ? "" : "[",
    steps: chunks,
    step: (i) => encode(responseBody(plan, [{ text: tokenText(i) }], false), i),
    tail: () => encode(last(), chunks) + (target.sse ? "" : "]"),
    fault,
    broken: target.sse ? `data: ${broken}\r\n\r\n` : broken,
    brokenEnd: "",
    errorFrame: () => encode(errorBody(), Math.min(CUT_AFTER_STEPS, chunks)) + (target.sse ? "" : "]"),
  });
}

/** Handles an admitted generateContent / streamGenerateContent request. */
export async function handleGenerate(ctx: LlmContext, target: GenerateTarget): Promise<void> {
  const raw = await readJson(ctx.req);
  ctx.recordBody(raw);
  const request = parseGenerateRequest(raw);
  const directives = parseDirectives(request.lastUserText);
  const ttftMs = directives.latencyMs ?? ctx.options.ttftMs;
  const calls = chooseToolCalls({ ...request, directed: directives.tools });
  const base = { model: target.model, responseId: `sim-${ctx.seq}`, promptTokens: request.promptTokens };
  let plan: GeneratePlan;
  if (calls.length > 0) {
    plan = { ...base, tokens: 0, calls, finishReason: "STOP", outputTokens: toolCallTokens(calls) };
  } else {
    const wanted = directives.tokens ?? ctx.options.outputTokens;
    const tokens = request.maxTokens === undefined ? wanted : Math.min(wanted, request.maxTokens);
    plan = { ...base, tokens, calls: [], finishReason: tokens < wanted ? "MAX_TOKENS" : "STOP", outputTokens: tokens };
  }
  deliver(ctx, directives.fault, {
    stream: target.stream,
    ttftMs,
    latencyMs: totalLatencyMs(ttftMs, plan.outputTokens, ctx.options.tokensPerSecond),
    body: () => generateBody(plan),
    streamWith: (fault) => streamGenerate(ctx, target, plan, ttftMs, fault),
  });
}
