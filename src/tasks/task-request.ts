/** `POST /v1/tasks`: a chat completion body plus an optional deadline and metadata, checked by zod. */
import { z } from "zod";
import { chatCompletionRequest } from "../core/openai-schema.ts";

export const taskRequest = chatCompletionRequest.extend({
  stream: z.literal(false, { message: "tasks cannot stream; poll GET /v1/tasks/{id} for the result" }).optional(),
  deadline: z.iso.datetime({ offset: true, message: "deadline must be an ISO 8601 date-time, e.g. 2026-11-22T08:00:00Z" }).optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).refine((m) => Object.keys(m).length <= 16, "metadata holds at most 16 keys").optional(),
});
export type TaskRequest = z.output<typeof taskRequest>;
