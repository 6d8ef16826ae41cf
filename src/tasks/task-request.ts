/** `POST /v1/tasks`: a chat completion body plus an optional deadline and metadata, checked by zod. */
import { z } from "zod";
import { chatCompletionRequest, type ChatCompletionRequest } from "../wire/openai/schema.ts";
import { MAX_JSON_DEPTH, pathTooDeep } from "../core/validate.ts";

export const taskRequest = chatCompletionRequest.extend({
  stream: z.literal(false, { message: "tasks cannot stream; poll GET /v1/tasks/{id} for the result" }).optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).refine((m) => Object.keys(m).length <= 16, "metadata holds at most 16 keys").optional(),
});
export type TaskRequest = z.output<typeof taskRequest>;

/**
 * A stored task's request, checked again before it runs (a row written by an older version, or by
 * hand, may not pass today's checks): the chat body, or why the task can never run.
 */
export function runnableBody(request: unknown): { ok: true; body: ChatCompletionRequest } | { ok: false; reason: string } {
  const deep = pathTooDeep(request);
  if (deep) return { ok: false, reason: `the task's request nests more than ${MAX_JSON_DEPTH} levels deep at ${deep.slice(0, 3).join(".")}` };
  const parsed = chatCompletionRequest.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `the task's request is not a valid chat completion body: ${issue?.path.join(".") || "body"}: ${issue?.message}` };
  }
  return { ok: true, body: parsed.data };
}
