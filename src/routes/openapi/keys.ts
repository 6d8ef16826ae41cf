/** API docs of the API key routes (src/routes/keys.ts). */
import { operations } from "../../openapi/operation.ts";
import { newKey } from "../keys.ts";
import { apiKey, listOf, newApiKey, revokedKey } from "./views.ts";

export const keyOperations = operations({ tag: "Keys", access: "caller" }, [
  {
    method: "post",
    path: "/api/keys",
    operationId: "createKey",
    summary: "Create an API key",
    description: "The key is in the answer once and stored only hashed. `models` limits it to some models; a limited key can only create keys limited to (some of) its own models.",
    body: newKey,
    bodyName: "NewApiKey",
    response: { status: 201, description: "The key, with the key itself shown this once", schema: newApiKey, name: "CreatedApiKey" },
    errors: { 403: "This key may only create keys limited to its own models (`models_not_allowed`)." },
  },
  {
    method: "get",
    path: "/api/keys",
    operationId: "listKeys",
    summary: "List API keys (admins: all; users: their own), never the keys themselves",
    response: { status: 200, description: "The keys", schema: listOf(apiKey), name: "ApiKeyList" },
  },
  {
    method: "delete",
    path: "/api/keys/:id",
    operationId: "revokeKey",
    summary: "Revoke an API key",
    params: { id: "The key's id." },
    response: { status: 200, description: "The key is revoked", schema: revokedKey, name: "RevokedApiKey" },
    errors: { 404: "No such key, or another user's (`key_not_found`)." },
  },
]);
