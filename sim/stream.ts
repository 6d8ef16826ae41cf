// Streaming chat completions over SSE, including the streaming variants of the malformed, cut and midstream faults.
import type { CompletionMeta, FinishReason, Usage } from "./completions.ts";
import { chunkBody, sse, tokenText, usageChunkBody } from "./completions.ts";
import type { LlmContext } from "./context.ts";
import type { FramePlan, StreamFault } from "./framestream.ts";
import { CUT_AFTER_STEPS, streamFrames } from "./framestream.ts";
import { errorBody } from "./http.ts";

/** Token chunks sent before the connection is dropped by `[sim:fault=cut]`. */
export const CUT_AFTER_TOKENS = CUT_AFTER_STEPS;

/** Content type of OpenAI streams. */
export const OPENAI_SSE = "text/event-stream; charset=utf-8";

/** What to stream. */
export interface StreamPlan {
  meta: CompletionMeta;
  tokens: number;
  finish: FinishReason;
  usage: Usage;
  includeUsage: boolean;
  ttftMs: number;
  /** Streaming fault to apply, if any. */
  fault?: StreamFault;
}

/** The fault parts of an OpenAI stream: the broken chunk, `[DONE]` after it, and the in-stream error chunk. */
export function openaiFaultFrames(ctx: LlmContext, meta: CompletionMeta): Pick<FramePlan, "broken" | "brokenEnd" | "errorFrame"> {
  return {
    broken: `data: {"id":"${meta.id}","object":"chat.completion.chunk","choices":[{"delta":{"content":"tok1\n\n`,
    brokenEnd: sse("[DONE]"),
    errorFrame: () => {
      const err = ctx.dialect.faultError("503");
      return sse(errorBody(err.message, err.type, err.code, err.param));
    },
  };
}

/**
 * Sends headers at once, then at ttft the role chunk and the first token, further tokens paced at
 * tokensPerSecond, the finish chunk, the optional usage chunk and `data: [DONE]`.
 */
export function streamCompletion(ctx: LlmContext, plan: StreamPlan): void {
  const { meta, includeUsage } = plan;
  streamFrames(ctx, {
    contentType: OPENAI_SSE,
    ttftMs: plan.ttftMs,
    head: sse(chunkBody(meta, { role: "assistant", content: "" }, null, includeUsage)),
    steps: plan.tokens,
    step: (i) => sse(chunkBody(meta, { content: tokenText(i) }, null, includeUsage)),
    tail: () =>
      sse(chunkBody(meta, {}, plan.finish, includeUsage)) + (includeUsage ? sse(usageChunkBody(meta, plan.usage)) : "") + sse("[DONE]"),
    fault: plan.fault,
    ...openaiFaultFrames(ctx, meta),
  });
}
