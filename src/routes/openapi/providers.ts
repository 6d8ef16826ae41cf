/** API docs of the provider admin API (src/routes/providers.ts, with its health handlers in health.ts). */
import { operations } from "../../openapi/operation.ts";
import { modelFields, providerDefinition } from "../../providers/definition.ts";
import { MAX_BATCH_ITEMS, providerBatchRequest } from "../provider-batch.ts";
import { providerPatch } from "../providers.ts";
import { deleted, listOf, provider, providerBatch, providerCheck, providerModel, providersHealth } from "./views.ts";

const id = { id: "The provider's id (a UUID), or `config:<name>` for one declared in gateway.yaml or PROVIDERS." };
const NOT_FOUND = "No such provider (`provider_not_found`).";
const READ_ONLY = "The provider is declared in configuration (`provider_read_only`): change it there, or create one of the same name here to replace it.";

export const providerOperations = operations({ tag: "Providers", access: "admin" }, [
  {
    method: "post",
    path: "/api/providers",
    operationId: "createProvider",
    summary: "Add a provider with its keys and models",
    description: "Each provider × key × model is a deployment routing chooses among. A provider stored here replaces a configured one of the same name. Credentials are stored encrypted and never shown again; `${SECRET_NAME}` refers to a Worker secret instead.",
    body: providerDefinition,
    bodyName: "ProviderDefinition",
    response: { status: 201, description: "The provider", schema: provider, name: "Provider" },
    errors: {
      400: "A base URL this gateway refuses (private addresses need ALLOW_PRIVATE_UPSTREAMS), or a secret reference that is not set.",
      409: "A provider of that name exists (`provider_exists`).",
    },
  },
  {
    method: "get",
    path: "/api/providers",
    operationId: "listProviders",
    summary: "List providers: configured and stored",
    response: { status: 200, description: "The providers", schema: listOf(provider), name: "ProviderList" },
  },
  {
    method: "get",
    path: "/api/providers/:id",
    operationId: "retrieveProvider",
    summary: "Read a provider (by id or name)",
    params: { id: "The provider's id or name." },
    response: { status: 200, description: "The provider", schema: provider },
    errors: { 404: NOT_FOUND },
  },
  {
    method: "patch",
    path: "/api/providers/:id",
    operationId: "updateProvider",
    summary: "Change a stored provider",
    description: "Only the fields sent change; a credential not sent stays as stored. For a provider of several keys, change one with `keys` (each `{name, api_key?}`).",
    params: id,
    body: providerPatch,
    bodyName: "ProviderPatch",
    response: { status: 200, description: "The provider after the change", schema: provider },
    errors: { 400: "The merged definition is not valid, or one api_key for a provider of several keys.", 404: NOT_FOUND, 409: `${READ_ONLY} Or: the new name is taken (\`provider_exists\`).` },
  },
  {
    method: "delete",
    path: "/api/providers/:id",
    operationId: "deleteProvider",
    summary: "Delete a stored provider and its models",
    params: id,
    response: { status: 200, description: "The provider is gone", schema: deleted("provider"), name: "DeletedProvider" },
    errors: { 404: NOT_FOUND, 409: READ_ONLY },
  },
  {
    method: "post",
    path: "/api/providers/batch",
    operationId: "batchProviders",
    summary: "Create, update and delete several providers at once, all or nothing",
    description: `\`create\` items are what POST /api/providers takes; \`update\` items what PATCH /api/providers/{id} takes, plus the provider they change (\`id\`, then \`name\` renames it; or \`name\`); \`delete\` lists ids or names. At most ${MAX_BATCH_ITEMS} of each, a provider in one item only. Every item is checked first (an error names it: \`update.0.limits.max_concurrency\`), then one D1 batch makes every change: deletes, then updates, then creates (docs/config.md).`,
    body: providerBatchRequest,
    bodyName: "ProviderBatch",
    response: { status: 200, description: "The providers made and changed, and those deleted", schema: providerBatch, name: "ProviderBatchResult" },
    errors: {
      400: "An item is not valid (the error names it), a base URL or secret reference is refused as by POST /api/providers, or a provider is changed by two items.",
      404: `${NOT_FOUND} For an \`update\` or \`delete\` item.`,
      409: `A name is taken (\`provider_exists\`), also when D1 refuses a change part-way (the batch is rolled back). Or: ${READ_ONLY}`,
    },
  },
  {
    method: "get",
    path: "/api/providers/:id/models",
    operationId: "listProviderModels",
    summary: "List a provider's models",
    description: "Seed 003's endpoint.",
    params: { id: "The provider's id or name." },
    response: { status: 200, description: "The models it serves", schema: listOf(providerModel), name: "ProviderModelList" },
    errors: { 404: NOT_FOUND },
  },
  {
    method: "post",
    path: "/api/providers/:id/models",
    operationId: "addProviderModel",
    summary: "Add one model to a stored provider",
    description: "Seed 003's endpoint. The model becomes a deployment of each of the provider's keys.",
    params: id,
    body: modelFields,
    bodyName: "NewProviderModel",
    response: { status: 201, description: "The model, as the provider now lists it", schema: providerModel, name: "ProviderModel" },
    errors: {
      400: "The provider with this model is not a valid definition.",
      404: NOT_FOUND,
      409: `The provider already serves a model of that name (\`model_exists\`). Or: ${READ_ONLY}`,
    },
  },
  {
    method: "get",
    path: "/api/providers/health",
    operationId: "providersHealth",
    summary: "Every deployment's health and why",
    tag: "Health",
    response: { status: 200, description: "Health per provider and deployment", schema: providersHealth, name: "ProvidersHealth" },
  },
  {
    method: "post",
    path: "/api/providers/:id/health",
    operationId: "checkProvider",
    summary: "Probe a provider's deployments now",
    tag: "Health",
    params: id,
    response: { status: 200, description: "Each probe's outcome and the deployments' health after it", schema: providerCheck, name: "ProviderCheck" },
    errors: { 404: NOT_FOUND },
  },
]);
