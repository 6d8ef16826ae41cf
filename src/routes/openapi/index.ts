/**
 * Every endpoint the API docs describe: /openapi.json is generated from these declarations, and
 * test/worker/openapi.test.ts fails when a route the app registers has none, or a declaration
 * names a route the app does not have. Seed 003's path aliases (../aliases.ts) are not routes of
 * their own: their operations are derived from the declarations of the paths they stand for.
 *
 * To document a new route:
 * 1. In the route group's file here (`keys.ts` for src/routes/keys.ts; a new group gets a new
 *    file, added to the list below), add `{ method, path, operationId, summary, response, … }`.
 *    `path` is the full path as the app registers it, in Hono's syntax (`/api/keys/:id`).
 * 2. Give `body` / `query` the very zod schema the handler parses (export it from the route file),
 *    and `response.schema` a zod schema of what it answers (shared shapes live in views.ts).
 * 3. List the errors the handler itself throws in `errors` (status → when). Those of the access
 *    (401, 403, 429 for failed credentials) and of a body or query (400, 413) are added for you.
 * Then `npx vitest run --project workers test/worker/openapi.test.ts`, and look at /docs.
 */
import { aliasOperations } from "../../openapi/aliases.ts";
import type { DocumentInfo } from "../../openapi/document.ts";
import type { Operation } from "../../openapi/operation.ts";
import { SEED_003_ALIASES } from "../aliases.ts";
import { anthropicOperations } from "./anthropic.ts";
import { authOperations } from "./auth.ts";
import { backendOperations } from "./backends.ts";
import { configOperations } from "./config.ts";
import { gatewayEndpointOperations } from "./gateway.ts";
import { keyOperations } from "./keys.ts";
import { legacyRequestOperations } from "./legacy-request.ts";
import { logOperations } from "./logs.ts";
import { modelConfigOperations } from "./model-configs.ts";
import { openaiOperations } from "./openai.ts";
import { providerOperations } from "./providers.ts";
import { routerOperations } from "./router.ts";
import { routingOperations } from "./routing.ts";
import { statusOperations } from "./status.ts";
import { taskOperations } from "./tasks.ts";
import { metricsOperations, priceOperations, usageOperations } from "./usage.ts";
import { userOperations } from "./users.ts";

const SEED_003_TAG = "Seed 003 paths";

/** The declarations of the routes the app registers, one each. */
export const routeOperations: readonly Operation[] = [
  ...openaiOperations,
  ...anthropicOperations,
  ...taskOperations,
  ...authOperations,
  ...keyOperations,
  ...logOperations,
  ...priceOperations,
  ...usageOperations,
  ...providerOperations,
  ...configOperations,
  ...userOperations,
  ...statusOperations,
  ...routingOperations,
  ...routerOperations,
  ...legacyRequestOperations,
  ...modelConfigOperations,
  ...backendOperations,
  ...gatewayEndpointOperations,
  ...metricsOperations,
];

/** Seed 003's paths (`/api/v1/chat/completions`, `/api/v1/providers/…`): each its target's operation. */
export const seed003AliasOperations: readonly Operation[] = aliasOperations(routeOperations, SEED_003_ALIASES, { label: "seed 003", idSuffix: "Seed003", tag: SEED_003_TAG });

/** Every operation in /openapi.json: the routes', then the aliases'. */
export const gatewayOperations: readonly Operation[] = [...routeOperations, ...seed003AliasOperations];

export const API_INFO: DocumentInfo = {
  title: "Hybrid LLM Gateway API",
  version: "0.1.0",
  description:
    "An OpenAI-compatible (and Anthropic-compatible) LLM gateway that co-schedules realtime and task calls on shared provider capacity. Errors are OpenAI's error object (`{error: {message, type, param, code}, request_id}`), Anthropic's on `/v1/messages`. This document is generated from the routes' zod schemas and is public, like /docs and /redoc.",
  tags: {
    OpenAI: "The OpenAI-compatible surface: one base URL (`/v1`) in front of every provider.",
    Anthropic: "The Anthropic-compatible surface (`/v1/messages`): errors in Anthropic's shape.",
    Tasks: "Work done by a deadline, on capacity realtime traffic leaves idle.",
    Health: "The models', deployments' and providers' health, and probes.",
    Auth: "Sign-up and access tokens.",
    Keys: "Gateway API keys (`sk-gw-…`).",
    Logs: "The request log.",
    Usage: "Prices, cost (seed 003's /api/v1/cost/*) and statistics, from the daily rollups.",
    Providers: "Providers, their keys and models (admin).",
    Config: "The run-time configuration as one JSON or YAML document: export and import (admin).",
    Users: "User accounts (admin).",
    Status: "The scheduler's view of every deployment (admin).",
    Routing: "Strategies, aliases and parameter overrides (admin).",
    "Router (seed 003)": "Routing rules and the routing switch (admin).",
    "Seed 000": "Seed 000's request endpoint and users' own model configurations.",
    "Backends (seed 002)": "Self-hosted backends registering themselves (INTERNAL_API_KEY).",
    Gateway: "Health and these docs (public), and Prometheus metrics (admins or METRICS_TOKEN).",
    [SEED_003_TAG]: "Seed 003's chat and provider paths, each an alias answered by the route it stands for (docs/routing.md).",
  },
};
