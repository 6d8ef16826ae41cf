/**
 * The API docs, public (no credential): `/openapi.json`, generated from the route declarations in
 * ./openapi/ (built once per isolate), Swagger UI at `/docs` and ReDoc at `/redoc`. The pages'
 * scripts and styles are Text modules of the Worker itself, copied from their npm packages by
 * scripts/docs-assets.mjs (see src/openapi/pages.ts).
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../env.ts";
import { openapiDocument } from "../openapi/document.ts";
import redocLicense from "../openapi/assets/redoc-LICENSE.txt";
import redocScript from "../openapi/assets/redoc.standalone.js.txt";
import redocScriptLicenses from "../openapi/assets/redoc.standalone.js.LICENSE.txt";
import swaggerLicense from "../openapi/assets/swagger-ui-LICENSE.txt";
import swaggerNotice from "../openapi/assets/swagger-ui-NOTICE.txt";
import swaggerScript from "../openapi/assets/swagger-ui-bundle.js.txt";
import swaggerStyle from "../openapi/assets/swagger-ui.css.txt";
import { DOCS_ASSETS, DOCS_CSP, redocPage, swaggerPage } from "../openapi/pages.ts";
import { API_INFO, gatewayOperations } from "./openapi/index.ts";

let spec: string | undefined;

/** The pages' files, by the path they are served at (the version changes only with the npm packages). */
const FILES: Record<string, { body: string; type: string }> = {
  [DOCS_ASSETS.swaggerScript]: { body: swaggerScript, type: "text/javascript; charset=utf-8" },
  [DOCS_ASSETS.swaggerStyle]: { body: swaggerStyle, type: "text/css; charset=utf-8" },
  [DOCS_ASSETS.redocScript]: { body: redocScript, type: "text/javascript; charset=utf-8" },
  "/docs/LICENSE.txt": { body: swaggerLicense, type: "text/plain; charset=utf-8" },
  "/docs/NOTICE.txt": { body: swaggerNotice, type: "text/plain; charset=utf-8" },
  "/redoc/LICENSE.txt": { body: redocLicense, type: "text/plain; charset=utf-8" },
  "/redoc/redoc.standalone.js.LICENSE.txt": { body: redocScriptLicenses, type: "text/plain; charset=utf-8" },
};

/** Serves one of the pages' files. */
const file = (path: string) => (c: Context<AppEnv>) => {
  const f = FILES[path]!;
  return c.body(f.body, 200, { "content-type": f.type, "cache-control": "public, max-age=3600" });
};

export const apiDocRoutes = new Hono<AppEnv>()
  .get("/openapi.json", (c) => {
    spec ??= JSON.stringify(openapiDocument(gatewayOperations, API_INFO));
    // Public, so any tool (an editor, a client generator in a browser) may fetch it.
    return c.body(spec, 200, { "content-type": "application/json", "access-control-allow-origin": "*", "cache-control": "public, max-age=300" });
  })
  .get("/docs", (c) => c.html(swaggerPage(API_INFO.title), 200, { "content-security-policy": DOCS_CSP }))
  .get("/redoc", (c) => c.html(redocPage(API_INFO.title), 200, { "content-security-policy": DOCS_CSP }))
  .get("/docs/swagger-ui-bundle.js", file(DOCS_ASSETS.swaggerScript))
  .get("/docs/swagger-ui.css", file(DOCS_ASSETS.swaggerStyle))
  .get("/redoc/redoc.standalone.js", file(DOCS_ASSETS.redocScript))
  .get("/docs/LICENSE.txt", file("/docs/LICENSE.txt"))
  .get("/docs/NOTICE.txt", file("/docs/NOTICE.txt"))
  .get("/redoc/LICENSE.txt", file("/redoc/LICENSE.txt"))
  .get("/redoc/redoc.standalone.js.LICENSE.txt", file("/redoc/redoc.standalone.js.LICENSE.txt"));
