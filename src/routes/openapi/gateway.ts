/** API docs of the gateway's own endpoints: `/health` (src/app.ts) and the docs (src/routes/api-docs.ts). */
import { operations } from "../../openapi/operation.ts";
import { healthStatus } from "./views.ts";

export const gatewayEndpointOperations = operations({ tag: "Gateway", access: "public" }, [
  {
    method: "get",
    path: "/health",
    operationId: "health",
    summary: "Whether the gateway is up and configured",
    response: { status: 200, description: "Up, with its secrets and providers in order", schema: healthStatus, name: "HealthStatus" },
    errors: { 503: "The gateway is misconfigured (`gateway_misconfigured`): a missing secret or a refused provider; the server log says which." },
  },
  {
    method: "get",
    path: "/openapi.json",
    operationId: "openapiDocument",
    summary: "This document: the OpenAPI 3.1 description of every endpoint",
    description: "Generated from the routes' own zod schemas.",
    response: { status: 200, description: "The OpenAPI document" },
  },
  {
    method: "get",
    path: "/docs",
    operationId: "swaggerUi",
    summary: "Swagger UI over this document",
    response: { status: 200, description: "An HTML page", contentType: "text/html" },
  },
  {
    method: "get",
    path: "/redoc",
    operationId: "redoc",
    summary: "ReDoc over this document",
    response: { status: 200, description: "An HTML page", contentType: "text/html" },
  },
]);
