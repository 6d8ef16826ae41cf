/** API docs of the API key routes (src/routes/keys.ts). */
import { operations } from "../../openapi/operation.ts";
import { keyBatchRequest } from "../key-batch.ts";
import { keyPatch, newKey } from "../keys.ts";
import { keyWithSpend } from "./usage-views.ts";
import { apiKey, keyBatch, listOf, newApiKey, revokedKey } from "./views.ts";

const id = { id: "The key's id." };
const NOT_FOUND = "No such key, or another user's (`key_not_found`).";
const RESTRICTED = "A key with limits of its own manages no keys (`restricted_key`); a key limited to some models only manages keys limited to them (`models_not_allowed`).";

export const keyOperations = operations({ tag: "Keys", access: "caller" }, [
  {
    method: "post",
    path: "/api/keys",
    operationId: "createKey",
    summary: "Create an API key",
    description: "The key is in the answer once and stored only hashed. `models` limits it to some models; `rpm`, `tpm`, `daily_budget_usd`, `monthly_budget_usd`, `expires_at` and `allowed_ips` hold it to limits (docs/operations.md). A limited key can only create keys limited to (some of) its own models.",
    body: newKey,
    bodyName: "NewApiKey",
    response: { status: 201, description: "The key, with the key itself shown this once", schema: newApiKey, name: "CreatedApiKey" },
    errors: { 403: RESTRICTED },
  },
  {
    method: "post",
    path: "/api/keys/batch",
    operationId: "batchKeys",
    summary: "Create and revoke several API keys at once, all or nothing",
    description: "`create` items are what POST /api/keys takes; `revoke` lists key ids (the caller's own; an admin's, any). Every item is checked first (an error names it: `create.1.name`, `revoke.0`), then one D1 batch makes the change. Each new key is in the answer once and stored only hashed.",
    body: keyBatchRequest,
    bodyName: "ApiKeyBatch",
    response: [
      { status: 200, description: "Keys revoked, none created", schema: keyBatch, name: "ApiKeyBatchResult" },
      { status: 201, description: "Keys created (each shown this once), and any revoked", schema: keyBatch },
    ],
    errors: { 400: "A key id is listed twice (`invalid_value`).", 403: `${RESTRICTED} Named by its item (\`create.0.models\`).`, 404: `${NOT_FOUND} Named by its item (\`revoke.0\`).` },
  },
  {
    method: "get",
    path: "/api/keys",
    operationId: "listKeys",
    summary: "List API keys (admins: all; users: their own), never the keys themselves",
    response: { status: 200, description: "The keys", schema: listOf(apiKey), name: "ApiKeyList" },
  },
  {
    method: "get",
    path: "/api/keys/:id",
    operationId: "getKey",
    summary: "One API key, with its spend today and this month when it has limits",
    params: id,
    response: { status: 200, description: "The key", schema: keyWithSpend, name: "ApiKeyWithSpend" },
    errors: { 404: NOT_FOUND },
  },
  {
    method: "patch",
    path: "/api/keys/:id",
    operationId: "updateKey",
    summary: "Change a key's name, models or limits (null clears one; a past expires_at ends the key now)",
    params: id,
    body: keyPatch,
    bodyName: "ApiKeyPatch",
    response: { status: 200, description: "The key after the change", schema: apiKey },
    errors: { 403: RESTRICTED, 404: NOT_FOUND, 409: "The key is revoked (`key_revoked`)." },
  },
  {
    method: "post",
    path: "/api/keys/:id/rotate",
    operationId: "rotateKey",
    summary: "Give a key a new secret, keeping its id and limits (the old secret stops working)",
    params: id,
    response: { status: 200, description: "The key, with its new secret shown this once", schema: newApiKey, name: "RotatedApiKey" },
    errors: { 403: RESTRICTED, 404: NOT_FOUND, 409: "The key is revoked (`key_revoked`)." },
  },
  {
    method: "delete",
    path: "/api/keys/:id",
    operationId: "revokeKey",
    summary: "Revoke an API key",
    params: id,
    response: { status: 200, description: "The key is revoked", schema: revokedKey, name: "RevokedApiKey" },
    errors: { 404: NOT_FOUND },
  },
]);
