// POST /v1/chat/completions: request validation, directives, and the text or tool-call answer, plain or streamed.
import { deliver } from "./answer.ts";
import type { ChatTools } from "./chat-tools.ts";
import { parseChatTools, streamToolCalls, toolCallsBody } from "./chat-tools.ts";
import type { FinishReason } from "./completions.ts";
import { completionBody, completionMeta, completionText, usage } from "./completions.ts";
import type { LlmContext } from "./context.ts";
import { parseDirectives } from "./directives.ts";
import { HttpError, readJson } from "./http.ts";
import { lastUserText, promptTokens, toolResultsPending } from "./messages.ts";
import { totalLatencyMs } from "./pacing.ts";
import { streamCompletion } from "./stream.ts";
import { chooseToolCalls, toolCallTokens } from "./tools.ts";

/** The fields of a chat completion request the simulator uses. */
export interface ChatRequest extends ChatTools {
  model: string;
  messages: unknown[];
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number | undefined;
}

function optionalPositiveInt(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new HttpError(400, `Invalid '${key}': expected an integer >= 1.`, { param: key, code: "invalid_value" });
  }
  return v;
}

/** Validates a parsed JSON body. @throws HttpError 400. */
export function parseChatRequest(body: unknown): ChatRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "The request body must be a JSON object.");
  }
  const b = body as Record<string, unknown>;
  if (typeof b.model !== "string" || b.model === "") {
    throw new HttpError(400, "you must provide a model parameter", { param: "model" });
  }
  if (!Array.isArray(b.messages) || b.messages.length === 0) {
    throw new HttpError(400, "'messages' must be a non-empty array.", { param: "messages" });
  }
  const streamOptions = b.stream_options as { include_usage?: unknown } | null | undefined;
  return {
    model: b.model,
    messages: b.messages,
    stream: b.stream === true,
    includeUsage: b.stream === true && streamOptions?.include_usage === true,
    maxTokens: optionalPositiveInt(b, "max_completion_tokens") ?? optionalPositiveInt(b, "max_tokens"),
    ...parseChatTools(b),
  };
}

/** Handles an admitted chat completion request. Errors thrown here are turned into responses by the server. */
export async function handleChat(ctx: LlmContext): Promise<void> {
  const raw = await readJson(ctx.req);
  ctx.recordBody(raw);
  const request = parseChatRequest(raw);
  const directives = parseDirectives(lastUserText(request.messages));
  const ttftMs = directives.latencyMs ?? ctx.options.ttftMs;
  const meta = completionMeta(request.model, ctx.seq);
  const prompt = promptTokens(request.messages);
  const { stream, includeUsage } = request;
  // Tool results after the last user message answer its directives: the model then replies in text.
  const resultsPending = toolResultsPending(request.messages);
  const calls = chooseToolCalls({
    tools: request.tools,
    mode: request.mode,
    directed: resultsPending ? undefined : directives.tools,
    resultsPending,
    parallel: request.parallel,
  });

  if (calls.length > 0) {
    const u = usage(prompt, toolCallTokens(calls));
    return deliver(ctx, directives.fault, {
      stream,
      ttftMs,
      latencyMs: totalLatencyMs(ttftMs, u.completion_tokens, ctx.options.tokensPerSecond),
      body: () => toolCallsBody(meta, ctx.seq, calls, u),
      streamWith: (fault) => streamToolCalls(ctx, { meta, calls, usage: u, includeUsage, ttftMs, fault }),
    });
  }

  const wanted = directives.tokens ?? ctx.options.outputTokens;
  const tokens = request.maxTokens === undefined ? wanted : Math.min(wanted, request.maxTokens);
  const finish: FinishReason = tokens < wanted ? "length" : "stop";
  const u = usage(prompt, tokens);
  deliver(ctx, directives.fault, {
    stream,
    ttftMs,
    latencyMs: totalLatencyMs(ttftMs, tokens, ctx.options.tokensPerSecond),
    body: () => completionBody(meta, completionText(tokens), finish, u),
    streamWith: (fault) => streamCompletion(ctx, { meta, tokens, finish, usage: u, includeUsage, ttftMs, fault }),
  });
}
