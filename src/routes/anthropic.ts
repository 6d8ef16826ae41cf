/**
 * The Anthropic-compatible surface: `POST /v1/messages` (plain and streamed, on either lane, to a
 * provider of any dialect) and `POST /v1/messages/count_tokens` (an estimate). Errors on these
 * paths come back in Anthropic's shape (see app.ts).
 */
import { Hono } from "hono";
import { ANTHROPIC_HEADERS } from "../calls/chat.ts";
import { chatCall } from "../calls/chat-call.ts";
import { planRoute } from "../routing/resolve.ts";
import { textLength } from "../core/usage.ts";
import { parseInput, readJson } from "../core/validate.ts";
import type { AppEnv } from "../env.ts";
import { countTokensRequest, messagesRequest } from "../wire/anthropic/schema.ts";
import { callContext } from "./call-context.ts";
import { laneOf, refuseDeadline } from "./openai.ts";

export const anthropicRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const body = parseInput(messagesRequest, await readJson(c.req.raw));
    const { lane, body: rest } = laneOf(body, c.req.header("x-request-class"));
    if (lane === "realtime") refuseDeadline(body.deadline);
    const headers = Object.fromEntries(ANTHROPIC_HEADERS.flatMap((name) => (c.req.header(name) ? [[name, c.req.header(name)!]] : [])));
    return chatCall(callContext(c, "messages"), { dialect: "anthropic", body: rest, headers }, lane, body.deadline);
  })
  // An estimate, like the gateway's TPM accounting: characters ÷ 4 over system, messages and tools.
  .post("/count_tokens", async (c) => {
    const body = parseInput(countTokensRequest, await readJson(c.req.raw));
    await planRoute(c.env, c.get("principal"), { model: body.model });
    return c.json({ input_tokens: Math.ceil(textLength([body.system ?? "", body.messages, body.tools ?? []]) / 4) });
  });
