/**
 * The two pages that render /openapi.json: Swagger UI at /docs and ReDoc at /redoc. Their scripts
 * and styles are served by the gateway itself (copied from the swagger-ui-dist and redoc packages
 * by scripts/docs-assets.mjs, imported as Text modules), never a CDN: the docs work offline and
 * where CDNs are blocked.
 */

/** Where the pages find the spec. */
export const SPEC_PATH = "/openapi.json";

/** The files the pages load, served by src/routes/api-docs.ts. */
export const DOCS_ASSETS = {
  swaggerScript: "/docs/swagger-ui-bundle.js",
  swaggerStyle: "/docs/swagger-ui.css",
  redocScript: "/redoc/redoc.standalone.js",
} as const;

/**
 * The pages' Content-Security-Policy: everything from the gateway itself (ReDoc's footer would
 * fetch a logo from Redocly's CDN; it is left out). Inline scripts and styles are the pages' own
 * start-up and the UIs' styling; ReDoc searches in a blob: worker.
 */
export const DOCS_CSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

const head = (title: string, extra = "") =>
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title}</title>
${extra}</head>`;

/** Swagger UI: every operation, with "Try it out" against this gateway (Authorize takes a key). */
export function swaggerPage(title: string): string {
  return `${head(`${title} · Swagger UI`, `<link rel="stylesheet" href="${DOCS_ASSETS.swaggerStyle}">\n`)}
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_ASSETS.swaggerScript}"></script>
<script>
  // validatorUrl null: no badge fetched from a third-party validator.
  window.ui = SwaggerUIBundle({ url: ${JSON.stringify(SPEC_PATH)}, dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null, docExpansion: "list", tryItOutEnabled: false });
</script>
</body>
</html>
`;
}

/** ReDoc: the same document as a three-panel reference. */
export function redocPage(title: string): string {
  return `${head(`${title} · ReDoc`, "<style>body { margin: 0; padding: 0; }</style>\n")}
<body>
<redoc spec-url="${SPEC_PATH}"></redoc>
<script src="${DOCS_ASSETS.redocScript}"></script>
</body>
</html>
`;
}
