// POST /v1/chat/completions: request validation, directives, and the non-streaming / streaming responses.
import type { FinishReason } from "./completions.ts";
import { completionBody, completionMeta, completionText, usage } from "./completions.ts";
import type { LlmContext } from "./context.ts";
import { parseDirectives } from "./directives.ts";
import { injectFault } from "./faults.ts";
import { HttpError, readJson, sendJson } from "./http.ts";
import { lastUserText, promptTokens } from "./messages.ts";
import { totalLatencyMs } from "./pacing.ts";
import { streamCompletion } from "./stream.ts";

/** The fields of a chat completion request the simulator uses. */
export interface ChatRequest {
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
  };
}

/** Handles an admitted chat completion request. Errors thrown here are turned into responses by the server. */
export async function handleChat(ctx: LlmContext): Promise<void> {
  const raw = await readJson(ctx.req);
  ctx.recordBody(raw);
  const request = parseChatRequest(raw);
  const directives = parseDirectives(lastUserText(request.messages));
  const ttftMs = directives.latencyMs ?? ctx.options.ttftMs;
  const wanted = directives.tokens ?? ctx.options.outputTokens;
  const tokens = request.maxTokens === undefined ? wanted : Math.min(wanted, request.maxTokens);
  const finish: FinishReason = tokens < wanted ? "length" : "stop";
  const meta = completionMeta(request.model, ctx.seq);
  const u = usage(promptTokens(request.messages), tokens);
  const fault = directives.fault;
  const latency = totalLatencyMs(ttftMs, tokens, ctx.options.tokensPerSecond);
  const body = (): object => completionBody(meta, completionText(tokens), finish, u);

  if (fault) {
    ctx.scope.markFault();
    const bodyFault = fault === "malformed" || fault === "cut";
    if (bodyFault && request.stream) {
      return streamCompletion(ctx, { meta, tokens, finish, usage: u, includeUsage: request.includeUsage, ttftMs, fault });
    }
    // Error statuses and resets come after ttft; a broken body takes as long as a real one.
    return injectFault(ctx, fault, bodyFault ? latency : ttftMs, () => JSON.stringify(body()));
  }
  if (request.stream) {
    return streamCompletion(ctx, { meta, tokens, finish, usage: u, includeUsage: request.includeUsage, ttftMs });
  }
  ctx.scope.after(latency, () => {
    ctx.scope.markSuccess();
    sendJson(ctx.res, 200, body(), ctx.headers);
  });
}
