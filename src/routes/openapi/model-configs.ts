/** API docs of seed 000's model configurations (src/routes/model-configs.ts). */
import { operations } from "../../openapi/operation.ts";
import { modelConfig as modelConfigInput } from "../model-configs.ts";
import { deleted, listOf, modelConfig } from "./views.ts";

const NOT_FOUND = "No such model configuration of this user (`model_config_not_found`).";
const USER_ONLY = "Model configurations belong to users: call with a user's token or key, not the root key (`user_only`).";

export const modelConfigOperations = operations({ tag: "Seed 000", access: "caller" }, [
  {
    method: "post",
    path: "/api/model",
    operationId: "createModelConfig",
    summary: "Add your own provider key for a model",
    description: "It becomes a deployment only you (and your keys) see and call; `POST /api/request` takes its id as `model_config_id`. The key is sealed and never shown back.",
    body: modelConfigInput,
    bodyName: "NewModelConfig",
    response: { status: 201, description: "The model configuration", schema: modelConfig, name: "ModelConfig" },
    errors: { 400: "A base URL this gateway refuses for users (ALLOW_PRIVATE_USER_UPSTREAMS).", 403: USER_ONLY, 409: "This user has the most model configurations allowed (`too_many_model_configs`)." },
  },
  {
    method: "get",
    path: "/api/model",
    operationId: "listModelConfigs",
    summary: "List your model configurations",
    response: { status: 200, description: "Your model configurations", schema: listOf(modelConfig), name: "ModelConfigList" },
    errors: { 403: USER_ONLY },
  },
  {
    method: "get",
    path: "/api/model/:id",
    operationId: "retrieveModelConfig",
    summary: "Read one of your model configurations",
    params: { id: "The model configuration's id." },
    response: { status: 200, description: "The model configuration", schema: modelConfig },
    errors: { 403: USER_ONLY, 404: NOT_FOUND },
  },
  {
    method: "delete",
    path: "/api/model/:id",
    operationId: "deleteModelConfig",
    summary: "Delete one of your model configurations",
    params: { id: "The model configuration's id." },
    response: { status: 200, description: "It is gone", schema: deleted("model_config"), name: "DeletedModelConfig" },
    errors: { 403: USER_ONLY, 404: NOT_FOUND },
  },
]);
