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
  ...(
    [
      ["/docs/swagger-ui-bundle.js", "swaggerUiScript", "Swagger UI's script (from swagger-ui-dist)", "text/javascript"],
      ["/docs/swagger-ui.css", "swaggerUiStyle", "Swagger UI's style sheet", "text/css"],
      ["/redoc/redoc.standalone.js", "redocScript", "ReDoc's script (from redoc)", "text/javascript"],
      ["/docs/LICENSE.txt", "swaggerUiLicense", "Swagger UI's license", "text/plain"],
      ["/docs/NOTICE.txt", "swaggerUiNotice", "Swagger UI's notice", "text/plain"],
      ["/redoc/LICENSE.txt", "redocLicense", "ReDoc's license", "text/plain"],
      ["/redoc/redoc.standalone.js.LICENSE.txt", "redocBundledLicenses", "The licenses of what ReDoc's script bundles", "text/plain"],
    ] as const
  ).map(([path, operationId, summary, contentType]) => ({ method: "get" as const, path, operationId, summary, response: { status: 200 as const, description: "The file, served by the gateway itself", contentType } })),
]);
