/**
 * zod schemas of the OpenAI request bodies the gateway accepts. Unknown fields pass through to the
 * provider (providers have extensions); the gateway's own fields are read here and never forwarded.
 */
import { z } from "zod";

/** Fields the gateway reads from an OpenAI-shaped body and never sends upstream. */
export const GATEWAY_ONLY_FIELDS = ["deadline", "webhook_url"] as const;

/** A task's deadline: an ISO 8601 date-time with an offset. */
export const deadlineField = z.iso.datetime({ offset: true, message: "deadline must be an ISO 8601 date-time, e.g. 2026-11-22T08:00:00Z" });

/** Accepted by name so it is never forwarded, refused until task webhooks exist. */
const webhookUrl = z.never({ message: "webhook_url is not supported yet; poll GET /v1/tasks/{id} for the result" });

const contentPart = z.looseObject({ type: z.string() });

/** One chat message; content may be text, parts, or null (assistant tool calls). */
export const chatMessage = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  name: z.string().optional(),
});

/** `POST /v1/chat/completions`. */
export const chatCompletionRequest = z.looseObject({
  model: z.string().min(1, "model is required"),
  messages: z.array(chatMessage).min(1, "messages must hold at least one message"),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  service_tier: z.string().nullish(),
  /** Gateway-only: the deadline of a task-lane call. */
  deadline: deadlineField.optional(),
  webhook_url: webhookUrl.optional(),
});
export type ChatCompletionRequest = z.output<typeof chatCompletionRequest>;

/** `POST /v1/embeddings`: realtime only, so the task fields are refused rather than forwarded. */
export const embeddingsRequest = z.looseObject({
  model: z.string().min(1, "model is required"),
  deadline: z.never({ message: "deadline applies to task calls; embeddings are answered at once" }).optional(),
  webhook_url: webhookUrl.optional(),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(z.number().int()).min(1),
    z.array(z.array(z.number().int()).min(1)).min(1),
  ]),
});
export type EmbeddingsRequest = z.output<typeof embeddingsRequest>;

/** The OpenAI `usage` object, as far as the gateway reads it. */
export const usage = z.looseObject({
  prompt_tokens: z.number().optional(),
  completion_tokens: z.number().optional(),
  total_tokens: z.number().optional(),
});
export type Usage = z.output<typeof usage>;
