/** The OpenAI-compatible surface: `/v1/chat/completions`, `/v1/embeddings`, `/v1/models`. */
import { Hono, type Context } from "hono";
import { chatCall } from "../calls/chat-call.ts";
import { embeddingsCall } from "../calls/embeddings.ts";
import { GatewayError } from "../core/errors.ts";
import { chatCompletionRequest, embeddingsRequest } from "../wire/openai/schema.ts";
import { parseInput, readJson } from "../core/validate.ts";
import type { AppEnv } from "../env.ts";
import { allModels } from "../routing/route-table.ts";
import { callContext } from "./call-context.ts";
import { modelHealth, testModel } from "./health.ts";

/**
 * The lane a call asks for: the task lane with `service_tier: "flex"` or `X-Request-Class: task`,
 * else realtime. "flex" is the gateway's switch and is not forwarded; any other tier is.
 */
export function laneOf<B extends { service_tier?: string | null | undefined }>(body: B, header: string | undefined): { lane: "realtime" | "task"; body: B } {
  if (body.service_tier === "flex") {
    const { service_tier: _flex, ...rest } = body;
    return { lane: "task", body: rest as B };
  }
  return { lane: header?.trim().toLowerCase() === "task" ? "task" : "realtime", body };
}

/** A deadline belongs to task calls; a realtime call is answered now, so one there is a mistake. */
export function refuseDeadline(deadline: string | undefined): void {
  if (deadline !== undefined) {
    throw new GatewayError("invalid_request", "deadline applies to task calls: send service_tier 'flex' or X-Request-Class: task, or use POST /v1/tasks", { param: "deadline", code: "unsupported_parameter" });
  }
}

export const openaiRoutes = new Hono<AppEnv>()
  .post("/chat/completions", async (c) => {
    const body = parseInput(chatCompletionRequest, await readJson(c.req.raw));
    const { lane, body: rest } = laneOf(body, c.req.header("x-request-class"));
    if (lane === "realtime") refuseDeadline(body.deadline);
    return chatCall(callContext(c, "chat.completions"), { dialect: "openai", body: rest }, lane, body.deadline);
  })
  .post("/embeddings", async (c) => {
    const body = parseInput(embeddingsRequest, await readJson(c.req.raw));
    return embeddingsCall(callContext(c, "embeddings"), body);
  })
  .get("/health", modelHealth)
  .post("/models/:id{.+}/test", testModel)
  .get("/models", async (c) => c.json({ object: "list", data: (await visibleModels(c)).map(modelView) }))
  // Model ids may hold slashes ("meta-llama/Llama-3.1-8B" on vLLM or OpenRouter).
  .get("/models/:id{.+}", async (c) => {
    const id = c.req.param("id");
    const model = (await visibleModels(c)).find((m) => m.name === id);
    if (!model) throw new GatewayError("not_found", `The model '${id}' does not exist`, { param: "model", code: "model_not_found" });
    return c.json(modelView(model));
  });

/** The models this caller may use (a key limited to some models sees only those). */
async function visibleModels(c: Context<AppEnv>) {
  const allowed = c.get("principal").allowedModels;
  return (await allModels(c.env, c.get("principal").ownerId)).filter((m) => !allowed || allowed.includes(m.name));
}

function modelView(m: { name: string; provider: string; createdAt: number }) {
  return { id: m.name, object: "model" as const, created: Math.floor(m.createdAt / 1000), owned_by: m.provider };
}
