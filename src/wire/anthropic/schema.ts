/**
 * zod schema of `POST /v1/messages`, the Anthropic Messages API the gateway accepts. Unknown
 * fields pass through to an Anthropic provider; the gateway's own fields are read here and never
 * forwarded. `temperature`, `top_p` and `top_k` are accepted for older clients.
 */
import { z } from "zod";
import { deadlineField } from "../openai/schema.ts";

const block = z.looseObject({ type: z.string() });

export const anthropicMessage = z.looseObject({
  role: z.enum(["user", "assistant", "system"], { message: "role must be 'user', 'assistant' or 'system'" }),
  content: z.union([z.string(), z.array(block)]),
});

export const messagesRequest = z.looseObject({
  model: z.string().min(1, "model is required"),
  max_tokens: z.number().int().positive({ message: "max_tokens must be a positive integer" }),
  messages: z.array(anthropicMessage).min(1, "messages must hold at least one message"),
  system: z.union([z.string(), z.array(block)]).optional(),
  stream: z.boolean().optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  tools: z.array(z.looseObject({ name: z.string().min(1) })).optional(),
  tool_choice: z
    .looseObject({ type: z.enum(["auto", "any", "tool", "none"]), name: z.string().min(1).optional() })
    .refine((c) => c.type !== "tool" || c.name !== undefined, { message: "tool_choice of type 'tool' needs the tool's name", path: ["name"] })
    .optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  service_tier: z.string().optional(),
  /** Gateway-only: the deadline of a task-lane call. */
  deadline: deadlineField.optional(),
  webhook_url: z.never({ message: "webhook_url is not supported yet" }).optional(),
});
export type MessagesRequest = z.output<typeof messagesRequest>;

/** `POST /v1/messages/count_tokens`: the same body without `max_tokens`. */
export const countTokensRequest = messagesRequest.omit({ max_tokens: true, stream: true, deadline: true, webhook_url: true });
export type CountTokensRequest = z.output<typeof countTokensRequest>;

/** Fields the gateway reads and never sends upstream. */
export const GATEWAY_ONLY_FIELDS = ["deadline", "webhook_url"] as const;
