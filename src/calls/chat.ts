/**
 * A chat call, from a caller of either dialect (OpenAI chat completions, Anthropic messages) to a
 * provider of any dialect. Between the same dialects the body and the stream pass through as they
 * came (the fast path); between different ones they are translated through the canonical model,
 * the stream event by event as it arrives. What cannot be translated is a 400 before any slot is
 * taken. A token-auth provider's 401 gets one retry with a fresh token.
 */
import { openaiUsage, type Dialect, type TokenUsage } from "../core/canonical.ts";
import { GatewayError } from "../core/errors.ts";
import { withTimeout } from "../core/timeout.ts";
import { estimateTokens } from "../core/usage.ts";
import type { Bindings } from "../env.ts";
import { anthropicRequestOf, DEFAULT_MAX_TOKENS } from "../providers/anthropic/request.ts";
import { AnthropicStreamParser, chatResponseOf as anthropicResponseOf } from "../providers/anthropic/response.ts";
import { geminiRequestOf } from "../providers/gemini/request.ts";
import { chatResponseOf as geminiResponseOf, GeminiStreamParser } from "../providers/gemini/response.ts";
import { chatEndpoint, dialectOf } from "../providers/kinds.ts";
import { openaiRequestOf } from "../providers/openai/request.ts";
import { chatResponseOf as openaiResponseOf, OpenAIStreamParser } from "../providers/openai/response.ts";
import { presetOf } from "../providers/presets.ts";
import { applyOverrides, type ParameterOverrides } from "../core/overrides.ts";
import type { ModelRoute } from "../providers/provider.ts";
import type { PromptText } from "../routing/rules.ts";
import { usageFromAnthropic, usageFromOpenAI, type StreamParser } from "../providers/stream-parser.ts";
import { exchangesToken, forgetToken } from "../providers/token-auth/token.ts";
import { fetchUpstream, rateLimitHints, type UpstreamResult } from "../providers/upstream-fetch.ts";
import { anthropicErrorEvent } from "../wire/anthropic/error-body.ts";
import { AnthropicStreamEncoder, messageOf } from "../wire/anthropic/from-canonical.ts";
import { GATEWAY_ONLY_FIELDS as ANTHROPIC_GATEWAY_FIELDS, type MessagesRequest } from "../wire/anthropic/schema.ts";
import { anthropicToCanonical } from "../wire/anthropic/to-canonical.ts";
import { chatCompletionOf, OpenAIStreamEncoder } from "../wire/openai/from-canonical.ts";
import { GATEWAY_ONLY_FIELDS as OPENAI_GATEWAY_FIELDS, type ChatCompletionRequest } from "../wire/openai/schema.ts";
import { openaiToCanonical } from "../wire/openai/to-canonical.ts";
import type { Attempt, Summary } from "./call.ts";
import { AnthropicPassthrough, openaiFailureEvent, OpenAIPassthrough, Translation, type StreamEncoder } from "./relay-handlers.ts";
import { relaySse, type RelayHandler, type RelaySummary } from "./sse-relay.ts";

/** Anthropic's request headers that change the answer; an Anthropic provider gets them as they came. */
export const ANTHROPIC_HEADERS = ["anthropic-version", "anthropic-beta"] as const;

export type InboundChat =
  | { dialect: "openai"; body: ChatCompletionRequest }
  | { dialect: "anthropic"; body: MessagesRequest; headers?: Partial<Record<(typeof ANTHROPIC_HEADERS)[number], string>> };

/** The upstream body for a route, built before any slot is taken. */
export interface PreparedChat {
  upstream: Dialect;
  passthrough: boolean;
  body: Record<string, unknown>;
  /** Headers the caller sent for this provider (Anthropic's version and beta flags). */
  headers?: Record<string, string>;
}

type Json = Record<string, unknown>;

function without(body: Json, fields: readonly string[]): Json {
  const out = { ...body };
  for (const f of fields) delete out[f];
  return out;
}

/** The output cap the caller asked for, by its own field name. */
function askedMaxTokens(inbound: InboundChat): { value: number | undefined; field: string } {
  if (inbound.dialect === "anthropic") return { value: inbound.body.max_tokens, field: "max_tokens" };
  const b = inbound.body;
  return b.max_completion_tokens != null ? { value: b.max_completion_tokens, field: "max_completion_tokens" } : { value: b.max_tokens ?? undefined, field: "max_tokens" };
}

/** A route, with the parameter overrides of its deployment (global, provider, model), if any. */
export type ChatRoute = ModelRoute & { overrides?: readonly (ParameterOverrides | undefined)[] };

/** Builds the upstream body for `route` (the caller's own, or a translation) with the deployment's overrides applied; throws a 400 for what cannot go. */
export function prepareChat(inbound: InboundChat, route: ChatRoute): PreparedChat {
  const prepared = buildChat(inbound, route);
  return route.overrides?.some(Boolean) ? { ...prepared, body: applyOverrides(prepared.body, route.overrides) } : prepared;
}

function buildChat(inbound: InboundChat, route: ModelRoute): PreparedChat {
  const upstream = dialectOf(route.provider);
  const asked = askedMaxTokens(inbound);
  if (route.maxTokens !== undefined && asked.value !== undefined && asked.value > route.maxTokens) {
    throw new GatewayError("invalid_request", `${asked.field} is ${asked.value}; the model '${route.model}' allows at most ${route.maxTokens}`, { param: asked.field, code: "invalid_value" });
  }
  if (upstream === inbound.dialect) {
    if (inbound.dialect === "openai") {
      const body: Json = { ...without(inbound.body, OPENAI_GATEWAY_FIELDS), model: route.upstreamModel };
      // Usage is always asked for upstream (the log and the governor need it); the caller gets it only if it asked.
      if (inbound.body.stream) body.stream_options = { ...(inbound.body.stream_options ?? {}), include_usage: true };
      return { upstream, passthrough: true, body };
    }
    return { upstream, passthrough: true, body: { ...without(inbound.body, ANTHROPIC_GATEWAY_FIELDS), model: route.upstreamModel }, headers: { ...inbound.headers } };
  }
  const target = `a provider of type '${route.provider.type}'`;
  const canonical = inbound.dialect === "openai" ? openaiToCanonical(inbound.body, target) : anthropicToCanonical(inbound.body, target);
  if (upstream === "openai") return { upstream, passthrough: false, body: openaiRequestOf(canonical, route.upstreamModel, presetOf(route.provider.type), target) };
  if (upstream === "anthropic") return { upstream, passthrough: false, body: anthropicRequestOf(canonical, route.upstreamModel, route.maxTokens ?? DEFAULT_MAX_TOKENS, target) };
  return { upstream, passthrough: false, body: geminiRequestOf(canonical, target) };
}

/** The prompt's text for routing rules: the last user message, and everything. */
export function promptOf(inbound: InboundChat): PromptText {
  const textOf = (content: unknown): string =>
    typeof content === "string" ? content : Array.isArray(content) ? content.map((p) => (p && typeof p === "object" && typeof (p as { text?: unknown }).text === "string" ? (p as { text: string }).text : "")).join("\n") : "";
  const messages = inbound.body.messages as { role: string; content: unknown }[];
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  const system = inbound.dialect === "anthropic" ? textOf(inbound.body.system) : "";
  return { lastUser: lastUser ? textOf(lastUser.content) : "", all: [system, ...messages.map((m) => textOf(m.content))].filter(Boolean).join("\n") };
}

/** Estimated tokens of a chat call (prompt characters ÷ 4, plus the output cap), for the TPM bucket. */
export function chatTokens(inbound: InboundChat): number {
  const b = inbound.body;
  return estimateTokens({ messages: inbound.dialect === "anthropic" ? [inbound.body.system ?? "", b.messages] : b.messages, max_tokens: askedMaxTokens(inbound).value ?? null });
}

/** Sends the prepared body; a token-auth provider's 401 is retried once with a fresh token. */
async function send(env: Bindings, route: ModelRoute, prepared: PreparedChat, stream: boolean, signal: AbortSignal, timeoutMs: number): Promise<UpstreamResult> {
  for (let retry = 0; ; retry++) {
    const endpoint = await chatEndpoint(env, route, stream);
    const token = endpoint.headers.authorization?.replace(/^Bearer /, "");
    const headers = { ...endpoint.headers, ...prepared.headers };
    const result = await fetchUpstream({ ...endpoint, headers, body: prepared.body }, { provider: route.provider.name, secrets: [route.provider.credential, token], signal, timeoutMs });
    if (!result.ok && result.status === 401 && retry === 0 && token && exchangesToken(route.provider) && (await forgetToken(env, route.provider, token))) continue;
    return result;
  }
}

function failed(error: GatewayError, outcome: Summary["outcome"]): Attempt<never> {
  return { ok: false, error, summary: { status: error.status, error: error.message, outcome } };
}

function malformed(route: ModelRoute): GatewayError {
  return new GatewayError("upstream_error", `provider '${route.provider.name}' sent a malformed response`, { code: "upstream_malformed" });
}

/** The whole answer, in the caller's dialect (for an OpenAI caller, a `chat.completion`). */
function answerOf(inbound: InboundChat, prepared: PreparedChat, json: Json, route: ModelRoute): { value: Json; usage: TokenUsage | undefined } {
  if (prepared.passthrough) {
    const valid = inbound.dialect === "openai" ? Array.isArray(json.choices) : Array.isArray(json.content);
    if (!valid) throw malformed(route);
    const usage = json.usage ? (inbound.dialect === "openai" ? usageFromOpenAI(json.usage as Json) : usageFromAnthropic(json.usage as Json)) : undefined;
    return { value: { ...json, model: route.model }, usage };
  }
  const name = route.provider.name;
  const response = prepared.upstream === "openai" ? openaiResponseOf(json, name) : prepared.upstream === "anthropic" ? anthropicResponseOf(json, name) : geminiResponseOf(json, name);
  return { value: inbound.dialect === "openai" ? chatCompletionOf(response, route.model) : messageOf(response, route.model), usage: response.usage };
}

/** How the stream reaches the caller: as it came, or translated event by event. */
function handlerOf(inbound: InboundChat, prepared: PreparedChat, route: ModelRoute): RelayHandler {
  if (prepared.passthrough) return inbound.dialect === "openai" ? new OpenAIPassthrough(route.model, inbound.body.stream_options?.include_usage === true) : new AnthropicPassthrough(route.model);
  const parser: StreamParser = prepared.upstream === "openai" ? new OpenAIStreamParser() : prepared.upstream === "anthropic" ? new AnthropicStreamParser() : new GeminiStreamParser();
  const encoder: StreamEncoder = inbound.dialect === "openai" ? new OpenAIStreamEncoder(route.model, inbound.body.stream_options?.include_usage === true) : new AnthropicStreamEncoder(route.model);
  return new Translation(parser, encoder, inbound.dialect === "openai" ? openaiFailureEvent : anthropicErrorEvent);
}

/** One attempt of a non-streaming chat call; never throws for upstream trouble. */
export async function completeChat(env: Bindings, inbound: InboundChat, route: ModelRoute, prepared: PreparedChat, signal: AbortSignal, timeoutMs: number): Promise<Attempt<Json>> {
  const startedAt = Date.now();
  const latency = () => Date.now() - startedAt;
  const result = await send(env, route, prepared, false, signal, timeoutMs);
  if (!result.ok) return failed(result.error, { status: result.status, latencyMs: latency(), retryAfterMs: result.retryAfterMs });
  const hints = rateLimitHints(result.response.headers);
  try {
    const json = JSON.parse(await withTimeout(result.response.text(), timeoutMs)) as Json;
    const { value, usage } = answerOf(inbound, prepared, json, route);
    return { ok: true, value, summary: { status: 200, usage, outcome: { status: 200, latencyMs: latency(), tokens: usage ? openaiUsage(usage).total_tokens : undefined, ...hints } } };
  } catch (cause) {
    const error = cause instanceof GatewayError ? cause : signal.aborted ? new GatewayError("upstream_error", "the call was cancelled", { code: "cancelled" }) : malformed(route);
    return failed(error, { status: signal.aborted ? 499 : error.status, latencyMs: latency(), ...hints });
  }
}

/** One attempt of a streaming chat call: the caller's stream, and its summary when it ends. */
export async function streamChat(env: Bindings, inbound: InboundChat, route: ModelRoute, prepared: PreparedChat, signal: AbortSignal, timeoutMs: number): Promise<Attempt<ReadableStream<Uint8Array>>> {
  const startedAt = Date.now();
  const result = await send(env, route, prepared, true, signal, timeoutMs);
  if (!result.ok) return failed(result.error, { status: result.status, latencyMs: Date.now() - startedAt, retryAfterMs: result.retryAfterMs });
  const hints = rateLimitHints(result.response.headers);
  let ended!: (summary: Summary) => void;
  let endedWith: RelaySummary | undefined;
  const summary = new Promise<Summary>((resolve) => (ended = resolve));
  const stream = relaySse(result.response.body!, handlerOf(inbound, prepared, route), {
    startedAt,
    idleTimeoutMs: timeoutMs,
    signal,
    onEnd: (s) => {
      endedWith = s;
      ended({ status: s.status, usage: s.usage, ttftMs: s.ttftMs, error: s.error, outcome: { status: s.status, latencyMs: Date.now() - startedAt, ttftMs: s.ttftMs, tokens: s.usage ? openaiUsage(s.usage).total_tokens : undefined, ...hints } });
    },
  });
  // Nothing reaches the caller before the upstream's first event: a stream that fails before it
  // (an error event first, a cut, a stall) is a failed attempt, which may fail over.
  const reader = stream.getReader();
  const first = await reader.read();
  if (endedWith?.failure && endedWith.sentBefore === 0) {
    reader.cancel().catch(() => {});
    return { ok: false, error: endedWith.failure, summary: await summary };
  }
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.done) controller.close();
      else controller.enqueue(first.value);
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { ok: true, value: rest, summary };
}
