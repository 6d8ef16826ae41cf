/** The OpenAI-compatible surface: `/v1/chat/completions`, `/v1/embeddings`, `/v1/models`. */
import { Hono, type Context } from "hono";
import { realtimeChat, type CallScope } from "../calls/realtime-chat.ts";
import { realtimeEmbeddings } from "../calls/realtime-embeddings.ts";
import { taskLaneChat, wantsTaskLane } from "../calls/task-lane-chat.ts";
import { chatCompletionRequest, embeddingsRequest } from "../core/openai-schema.ts";
import { parseInput, readJson } from "../core/validate.ts";
import type { AppEnv } from "../env.ts";
import { allModels } from "../providers/registry.ts";

/** What a call needs from the HTTP request: env, caller, waitUntil and the client's abort signal. */
export function callScope(c: Context<AppEnv>, endpoint: string): CallScope {
  return {
    env: c.env,
    principal: c.get("principal"),
    waitUntil: (work) => c.executionCtx.waitUntil(work),
    signal: c.req.raw.signal,
    endpoint,
  };
}

export const openaiRoutes = new Hono<AppEnv>()
  .post("/chat/completions", async (c) => {
    const body = parseInput(chatCompletionRequest, await readJson(c.req.raw));
    const scope = callScope(c, "chat.completions");
    return wantsTaskLane(body, c.req.header("x-request-class")) ? taskLaneChat(scope, body) : realtimeChat(scope, body);
  })
  .post("/embeddings", async (c) => {
    const body = parseInput(embeddingsRequest, await readJson(c.req.raw));
    return realtimeEmbeddings(callScope(c, "embeddings"), body);
  })
  .get("/models", async (c) => {
    const allowed = c.get("principal").allowedModels;
    const list = (await allModels(c.env)).filter((m) => !allowed || allowed.includes(m.name));
    return c.json({
      object: "list",
      data: list.map((m) => ({ id: m.name, object: "model", created: Math.floor(m.createdAt / 1000), owned_by: m.provider })),
    });
  });
