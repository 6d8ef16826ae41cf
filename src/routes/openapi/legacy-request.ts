/** API docs of seed 000's request endpoint (src/routes/legacy-request.ts). */
import { operations } from "../../openapi/operation.ts";
import { legacyRequest } from "../legacy-request.ts";
import { MODEL_CALL_ERRORS } from "./openai.ts";
import { chatCompletion, task } from "./views.ts";

export const legacyRequestOperations = operations({ tag: "Seed 000", access: "caller" }, [
  {
    method: "post",
    path: "/api/request",
    operationId: "submitRequest",
    summary: "Send a prompt as a realtime call or a task (seed 000's shape)",
    description:
      "`{model | model_config_id, prompt | messages, request_type}`. `request_type: \"realtime\"` answers with the chat.completion (200); `\"task\"` submits a task and answers 202 with it, to poll at `GET /v1/tasks/{id}`.",
    body: legacyRequest,
    bodyName: "LegacyRequest",
    headers: { "Idempotency-Key": "For `request_type: \"task\"`: submitting again with the same key returns the first task." },
    response: [
      { status: 200, description: "`request_type: \"realtime\"`: the chat.completion", schema: chatCompletion },
      { status: 202, description: "`request_type: \"task\"`: the task, queued (as `POST /v1/tasks` answers)", schema: task },
    ],
    errors: { ...MODEL_CALL_ERRORS, 404: "No such model or model configuration." },
  },
]);
