/** API docs of the OpenAI-compatible surface (src/routes/openai.ts and the handlers in health.ts). */
import { operations, type Operation } from "../../openapi/operation.ts";
import { chatCompletionRequest, embeddingsRequest } from "../../wire/openai/schema.ts";
import { testRequest } from "../health.ts";
import { chatCompletion, embeddings, listOf, model, modelsHealth, modelTest } from "./views.ts";

/** The errors of every call that reaches a model (chat, messages, embeddings, seed 000's request). */
export const MODEL_CALL_ERRORS = {
  400: "A field the chosen provider cannot take (`unsupported_parameter`), or a deadline on a realtime call.",
  403: "The key may not use this model (`model_not_allowed`).",
  404: "No such model, or none this caller may see (`model_not_found`).",
  429: "No capacity within REALTIME_WAIT_MS (`capacity_exceeded`; `task_capacity_exceeded` on the task lane), an RPM/TPM limit, or the provider's own 429; see `Retry-After`.",
  502: "The provider failed or answered something unreadable, on every deployment tried.",
  503: "Every deployment of the model is unavailable (open breakers, unhealthy backends, missing keys).",
  504: "The provider did not answer within UPSTREAM_TIMEOUT_MS.",
} satisfies Operation["errors"];

const lane = {
  "X-Request-Class": "`task` runs the call on the task lane (it waits for idle capacity, up to its deadline); anything else, or none, is realtime.",
};

export const openaiOperations = operations({ tag: "OpenAI", access: "caller" }, [
  {
    method: "post",
    path: "/v1/chat/completions",
    operationId: "createChatCompletion",
    summary: "Create a chat completion",
    description:
      "OpenAI's Chat Completions API in front of every provider type. Unknown fields pass through to the provider. `service_tier: \"flex\"` (or `X-Request-Class: task`) runs it on the task lane, with an optional `deadline`.",
    body: chatCompletionRequest,
    headers: lane,
    response: { status: 200, description: "The chat.completion (or, with `stream: true`, its chunks as server-sent events)", schema: chatCompletion, stream: "`data: {chat.completion.chunk}` events, ending with `data: [DONE]`" },
    errors: MODEL_CALL_ERRORS,
  },
  {
    method: "post",
    path: "/v1/embeddings",
    operationId: "createEmbeddings",
    summary: "Create embeddings",
    description: "Realtime only: a deadline is refused.",
    body: embeddingsRequest,
    response: { status: 200, description: "The embeddings", schema: embeddings },
    errors: MODEL_CALL_ERRORS,
  },
  {
    method: "get",
    path: "/v1/models",
    operationId: "listModels",
    summary: "List the models this caller may use",
    response: { status: 200, description: "The models", schema: listOf(model), name: "ModelList" },
  },
  {
    method: "get",
    path: "/v1/models/:id{.+}",
    operationId: "retrieveModel",
    summary: "Read one model",
    params: { id: "The model's name; it may hold slashes (`meta-llama/Llama-3.1-8B`)." },
    response: { status: 200, description: "The model", schema: model, name: "Model" },
    errors: { 404: "No such model, or none this caller may see (`model_not_found`)." },
  },
  {
    method: "post",
    path: "/v1/models/:id{.+}/test",
    operationId: "testModel",
    summary: "Send one test message to a model",
    description: "One real call through the model's routing (with failover); the answer says which deployment served it, how fast, and what it said. The body may be left out (the message is then \"Hello\").",
    tag: "Health",
    params: { id: "The model's name; it may hold slashes." },
    body: testRequest,
    bodyOptional: true,
    response: { status: 200, description: "The test's outcome (a failed call is `ok: false` with its status, not an error response)", schema: modelTest, name: "ModelTestResult" },
    errors: { 403: MODEL_CALL_ERRORS[403], 404: MODEL_CALL_ERRORS[404] },
  },
  {
    method: "get",
    path: "/v1/health",
    operationId: "modelsHealth",
    summary: "The gateway's and each visible model's health",
    description: "`ok` when every model has a healthy deployment, `degraded` when some have none, `down` when none has one.",
    tag: "Health",
    response: { status: 200, description: "Health per model", schema: modelsHealth, name: "ModelsHealth" },
  },
]);
