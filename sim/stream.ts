// Streaming chat completions over SSE, including the streaming variants of the malformed and cut faults.
import type { CompletionMeta, FinishReason, Usage } from "./completions.ts";
import { chunkBody, sse, tokenText, usageChunkBody } from "./completions.ts";
import type { LlmContext } from "./context.ts";
import { paceTokens } from "./pacing.ts";

/** Token chunks sent before the connection is dropped by `[sim:fault=cut]`. */
export const CUT_AFTER_TOKENS = 3;

/** What to stream. */
export interface StreamPlan {
  meta: CompletionMeta;
  tokens: number;
  finish: FinishReason;
  usage: Usage;
  includeUsage: boolean;
  ttftMs: number;
  /** Streaming fault to apply, if any. */
  fault?: "malformed" | "cut";
}

/**
 * Sends headers at once, then at ttft the role chunk and the first token, further tokens paced at
 * tokensPerSecond, the finish chunk, the optional usage chunk and `data: [DONE]`.
 */
export function streamCompletion(ctx: LlmContext, plan: StreamPlan): void {
  const { res, scope } = ctx;
  const { meta, includeUsage } = plan;
  res.writeHead(200, { ...ctx.headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
  res.flushHeaders();
  const roleChunk = sse(chunkBody(meta, { role: "assistant", content: "" }, null, includeUsage));

  if (plan.fault === "malformed") {
    scope.after(plan.ttftMs, () => {
      res.write(roleChunk);
      res.write(`data: {"id":"${meta.id}","object":"chat.completion.chunk","choices":[{"delta":{"content":"tok1\n\n`);
      res.end(sse("[DONE]"));
    });
    return;
  }

  const cut = plan.fault === "cut";
  const count = cut ? Math.min(CUT_AFTER_TOKENS, plan.tokens) : plan.tokens;
  const dropAfter = (): void => scope.destroy();
  paceTokens(scope, {
    ttftMs: plan.ttftMs,
    tokensPerSecond: ctx.options.tokensPerSecond,
    count,
    onStart: () => {
      res.write(roleChunk, cut && count === 0 ? dropAfter : undefined);
    },
    onToken: (i) => {
      const chunk = sse(chunkBody(meta, { content: tokenText(i) }, null, includeUsage));
      res.write(chunk, cut && i === count - 1 ? dropAfter : undefined);
    },
    onDone: () => {
      if (cut) return; // the last write's callback drops the connection
      scope.markSuccess();
      res.write(sse(chunkBody(meta, {}, plan.finish, includeUsage)));
      if (includeUsage) res.write(sse(usageChunkBody(meta, plan.usage)));
      res.end(sse("[DONE]"));
    },
  });
}
