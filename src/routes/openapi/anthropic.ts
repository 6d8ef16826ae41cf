/** API docs of the Anthropic-compatible surface (src/routes/anthropic.ts): errors in Anthropic's shape. */
import { operations } from "../../openapi/operation.ts";
import { countTokensRequest, messagesRequest } from "../../wire/anthropic/schema.ts";
import { MODEL_CALL_ERRORS } from "./openai.ts";
import { anthropicMessage, tokenCount } from "./views.ts";

export const anthropicOperations = operations({ tag: "Anthropic", access: "caller", errorDialect: "anthropic" }, [
  {
    method: "post",
    path: "/v1/messages",
    operationId: "createMessage",
    summary: "Create a message",
    description:
      "Anthropic's Messages API in front of every provider type (translated for providers of other dialects). The credential may come as `x-api-key`, as Anthropic's clients send it. `service_tier: \"flex\"` or `X-Request-Class: task` runs it on the task lane.",
    body: messagesRequest,
    headers: {
      "X-Request-Class": "`task` runs the call on the task lane; anything else, or none, is realtime.",
      "anthropic-version": "Passed to an Anthropic provider.",
      "anthropic-beta": "Passed to an Anthropic provider.",
    },
    response: { status: 200, description: "The message (or, with `stream: true`, Anthropic's event sequence)", schema: anthropicMessage, stream: "`message_start`, `content_block_*`, `message_delta`, `message_stop` events" },
    errors: MODEL_CALL_ERRORS,
  },
  {
    method: "post",
    path: "/v1/messages/count_tokens",
    operationId: "countMessageTokens",
    summary: "Estimate a message's input tokens",
    body: countTokensRequest,
    response: { status: 200, description: "The estimate", schema: tokenCount },
    errors: { 403: MODEL_CALL_ERRORS[403], 404: MODEL_CALL_ERRORS[404] },
  },
]);
