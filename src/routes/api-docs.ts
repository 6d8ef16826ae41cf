/**
 * The API docs, public (no credential): `/openapi.json`, generated from the route declarations in
 * ./openapi/ (built once per isolate), Swagger UI at `/docs` and ReDoc at `/redoc`. The pages'
 * scripts are static assets of the gateway itself (see src/openapi/pages.ts).
 */
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { openapiDocument } from "../openapi/document.ts";
import { DOCS_CSP, redocPage, swaggerPage } from "../openapi/pages.ts";
import { API_INFO, gatewayOperations } from "./openapi/index.ts";

let spec: string | undefined;

export const apiDocRoutes = new Hono<AppEnv>()
  .get("/openapi.json", (c) => {
    spec ??= JSON.stringify(openapiDocument(gatewayOperations, API_INFO));
    // Public, so any tool (an editor, a client generator in a browser) may fetch it.
    return c.body(spec, 200, { "content-type": "application/json", "access-control-allow-origin": "*", "cache-control": "public, max-age=300" });
  })
  .get("/docs", (c) => c.html(swaggerPage(API_INFO.title), 200, { "content-security-policy": DOCS_CSP }))
  .get("/redoc", (c) => c.html(redocPage(API_INFO.title), 200, { "content-security-policy": DOCS_CSP }));
