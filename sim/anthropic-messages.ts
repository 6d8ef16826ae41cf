// POST /v1/messages and /v1/messages/count_tokens: Anthropic message bodies and the event stream in Anthropic's order.
import { anthropicErrorBody } from "./anthropic.ts";
import { parseMessagesRequest } from "./anthropic-request.ts";
import { deliver } from "./answer.ts";
import { completionText, tokenText } from "./completions.ts";
import type { LlmContext } from "./context.ts";
import { parseDirectives } from "./directives.ts";
import type { Frame, StreamFault } from "./framestream.ts";
import { layoutFrames, streamFrames } from "./framestream.ts";
import { readJson } from "./http.ts";
import { totalLatencyMs } from "./pacing.ts";
import { chooseToolCalls, splitPieces, toolCallTokens } from "./tools.ts";

/** Why the message ended. */
export type StopReason = "end_turn" | "max_tokens" | "tool_use";

/** A tool_use content block. */
export interface ToolUseBlock {
  type: "tool_use";
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/** The answer to stream or send: text of `tokens` tokens, or tool_use blocks. */
export interface MessagePlan {
  id: string;
  model: string;
  tokens: number;
  toolUses: ToolUseBlock[];
  stopReason: StopReason;
  inputTokens: number;
  outputTokens: number;
}

/** Usage block of a message (no prompt caching is simulated). */
function messageUsage(input: number, output: number): object {
  return { input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

/** Non-streaming `message` body. */
export function messageBody(plan: MessagePlan): object {
  const content = plan.toolUses.length > 0 ? plan.toolUses : [{ type: "text", text: completionText(plan.tokens) }];
  return {
    id: plan.id,
    type: "message",
    role: "assistant",
    model: plan.model,
    content,
    stop_reason: plan.stopReason,
    stop_sequence: null,
    usage: messageUsage(plan.inputTokens, plan.outputTokens),
  };
}

/** One Anthropic SSE event: `event: <type>\ndata: <json>\n\n`. */
export function anthropicEvent(data: { type: string; [key: string]: unknown }): string {
  return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Streams a message: message_start; per block content_block_start (a ping after the first), its deltas
 * (text_delta per token, or the tool input JSON in 2-3 input_json_delta pieces, each paced like a token) and
 * content_block_stop; then message_delta and message_stop.
 */
export function streamMessage(ctx: LlmContext, plan: MessagePlan, ttftMs: number, fault?: StreamFault): void {
  const start = anthropicEvent({
    type: "message_start",
    message: {
      id: plan.id,
      type: "message",
      role: "assistant",
      model: plan.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: messageUsage(plan.inputTokens, 1),
    },
  });
  const ping = anthropicEvent({ type: "ping" });
  const blockStart = (index: number, block: object): string => anthropicEvent({ type: "content_block_start", index, content_block: block });
  const blockStop = (index: number): string => anthropicEvent({ type: "content_block_stop", index });
  const delta = (index: number, d: object): string => anthropicEvent({ type: "content_block_delta", index, delta: d });
  const end = (): string =>
    anthropicEvent({ type: "message_delta", delta: { stop_reason: plan.stopReason, stop_sequence: null }, usage: { output_tokens: plan.outputTokens } }) +
    anthropicEvent({ type: "message_stop" });

  let layout: { head: string; steps: number; step: (i: number) => string; tail: () => string };
  if (plan.toolUses.length === 0) {
    layout = {
      head: start + blockStart(0, { type: "text", text: "" }) + ping,
      steps: plan.tokens,
      step: (i) => delta(0, { type: "text_delta", text: tokenText(i) }),
      tail: () => blockStop(0) + end(),
    };
  } else {
    const frames: Frame[] = [{ text: start, paced: false }];
    plan.toolUses.forEach((block, index) => {
      frames.push({ text: blockStart(index, { ...block, input: {} }) + (index === 0 ? ping : ""), paced: false });
      for (const piece of splitPieces(JSON.stringify(block.input))) {
        frames.push({ text: delta(index, { type: "input_json_delta", partial_json: piece }), paced: true });
      }
      frames.push({ text: blockStop(index), paced: false });
    });
    const { head, steps, tail } = layoutFrames(frames);
    layout = { head, steps: steps.length, step: (i) => steps[i]!, tail: () => tail + end() };
  }
  streamFrames(ctx, {
    contentType: "text/event-stream; charset=utf-8",
    ttftMs,
    ...layout,
    fault,
    broken: `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"tok1\n\n`,
    brokenEnd: "",
    errorFrame: () => anthropicEvent(anthropicErrorBody(ctx.dialect.faultError("503"))),
  });
}

/** Handles an admitted POST /v1/messages. */
export async function handleMessages(ctx: LlmContext): Promise<void> {
  const raw = await readJson(ctx.req);
  ctx.recordBody(raw);
  const request = parseMessagesRequest(raw);
  const directives = parseDirectives(request.lastUserText);
  const ttftMs = directives.latencyMs ?? ctx.options.ttftMs;
  const calls = chooseToolCalls({ ...request, directed: directives.tools });
  const base = { id: `msg_sim_${ctx.seq}`, model: request.model, inputTokens: request.inputTokens };
  let plan: MessagePlan;
  if (calls.length > 0) {
    const toolUses = calls.map((c, i): ToolUseBlock => ({ type: "tool_use", id: `toolu_sim_${ctx.seq}_${i}`, name: c.name, input: c.args }));
    plan = { ...base, tokens: 0, toolUses, stopReason: "tool_use", outputTokens: toolCallTokens(calls) };
  } else {
    const wanted = directives.tokens ?? ctx.options.outputTokens;
    const tokens = Math.min(wanted, request.maxTokens!);
    plan = { ...base, tokens, toolUses: [], stopReason: tokens < wanted ? "max_tokens" : "end_turn", outputTokens: tokens };
  }
  deliver(ctx, directives.fault, {
    stream: request.stream,
    ttftMs,
    latencyMs: totalLatencyMs(ttftMs, plan.outputTokens, ctx.options.tokensPerSecond),
    body: () => messageBody(plan),
    streamWith: (fault) => streamMessage(ctx, plan, ttftMs, fault),
  });
}

/** Handles an admitted POST /v1/messages/count_tokens: `{input_tokens}` after ttft. */
export async function handleCountTokens(ctx: LlmContext): Promise<void> {
  const raw = await readJson(ctx.req);
  ctx.recordBody(raw);
  const request = parseMessagesRequest(raw, true);
  const directives = parseDirectives(request.lastUserText);
  const delay = directives.latencyMs ?? ctx.options.ttftMs;
  deliver(ctx, directives.fault, {
    stream: false,
    ttftMs: delay,
    latencyMs: delay,
    body: () => ({ input_tokens: request.inputTokens }),
    streamWith: () => {},
  });
}
