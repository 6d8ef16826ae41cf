/** Seed 000's `POST /api/request/`: `{model, prompt | messages, request_type}` onto the same machinery. */
import { Hono } from "hono";
import { z } from "zod";
import { chatCall } from "../calls/chat-call.ts";
import { planRoute } from "../routing/resolve.ts";
import { chatMessage, deadlineField } from "../wire/openai/schema.ts";
import { parseInput, readJson } from "../core/validate.ts";
import type { AppEnv } from "../env.ts";
import { submitTask } from "../tasks/submit-task.ts";
import { taskRequest } from "../tasks/task-request.ts";
import { taskView } from "../tasks/task-view.ts";
import { callContext } from "./call-context.ts";
import { refuseDeadline } from "./openai.ts";

export const legacyRequest = z
  .strictObject({
    model: z.string().min(1).optional(),
    /** Seed 000: one of the caller's own model configurations (`POST /api/model/`), instead of model. */
    model_config_id: z.string().min(1).optional(),
    prompt: z.string().min(1).optional(),
    messages: z.array(chatMessage).min(1).optional(),
    request_type: z.enum(["realtime", "task"], { message: "request_type must be 'realtime' or 'task'" }).default("realtime"),
    max_tokens: z.number().int().positive().optional(),
    temperature: z.number().min(0).max(2).optional(),
    deadline: deadlineField.optional(),
  })
  .refine((r) => Boolean(r.prompt) !== Boolean(r.messages), { message: "send exactly one of prompt or messages", path: ["prompt"] })
  .refine((r) => Boolean(r.model) !== Boolean(r.model_config_id), { message: "send exactly one of model or model_config_id", path: ["model"] });

export const legacyRequestRoutes = new Hono<AppEnv>().post("/", async (c) => {
  const { prompt, messages, request_type, model, model_config_id, ...rest } = parseInput(legacyRequest, await readJson(c.req.raw));
  const config = model_config_id ? (await planRoute(c.env, c.get("principal"), { model: "", providerId: model_config_id })).model : undefined;
  const chat = { ...rest, model: config ?? model!, messages: messages ?? [{ role: "user" as const, content: prompt! }] };
  if (request_type === "realtime") {
    refuseDeadline(chat.deadline);
    return chatCall(callContext(c, "api.request"), { dialect: "openai", body: { ...chat, stream: false } }, "realtime", undefined, model_config_id);
  }
  // A task names the configuration's model: the owner's own deployments of it serve the owner's calls.
  const input = parseInput(taskRequest, chat);
  const { row } = await submitTask(c.env, c.get("principal"), input, c.req.header("idempotency-key") ?? undefined, (p) => c.executionCtx.waitUntil(p));
  return c.json(taskView(row), 202);
});
