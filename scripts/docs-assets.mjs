#!/usr/bin/env node
// Copies the API docs' browser files (Swagger UI from swagger-ui-dist, ReDoc from redoc) into
// src/openapi/assets/ as .txt files, which the Worker imports as Text modules (a wrangler.toml
// rule) and serves itself: the gateway serves its own docs, no CDN, and no static-assets router in
// front of every call. The folder is generated, not committed. Run by preflight (npm start, npm
// test), vitest.config.ts, scripts/dev-stack.ts and `npm run deploy`.
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Where the Worker imports them from (src/routes/api-docs.ts). */
export const assetsDir = join(root, "src", "openapi", "assets");

/** Package file → file under src/openapi/assets/ (each served at the URL path in src/openapi/pages.ts). */
const FILES = [
  ["swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-bundle.js.txt"],
  ["swagger-ui-dist/swagger-ui.css", "swagger-ui.css.txt"],
  ["swagger-ui-dist/LICENSE", "swagger-ui-LICENSE.txt"],
  ["swagger-ui-dist/NOTICE", "swagger-ui-NOTICE.txt"],
  ["redoc/bundles/redoc.standalone.js", "redoc.standalone.js.txt"],
  ["redoc/bundles/redoc.standalone.js.LICENSE.txt", "redoc.standalone.js.LICENSE.txt"],
  ["redoc/LICENSE", "redoc-LICENSE.txt"],
];

// By content: npm gives every unpacked file the same old mtime, so times say nothing.
const same = (a, b) => existsSync(b) && statSync(a).size === statSync(b).size && readFileSync(a).equals(readFileSync(b));

/** Copies what is missing or changed (a running `wrangler dev` sees no change otherwise); returns the files copied. */
export function copyDocsAssets() {
  const copied = [];
  for (const [from, to] of FILES) {
    const source = join(root, "node_modules", from);
    if (!existsSync(source)) throw new Error(`docs assets: ${from} is missing; run npm install`);
    const target = join(assetsDir, to);
    if (same(source, target)) continue;
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(source, target);
    copied.push(to);
  }
  return copied;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const copied = copyDocsAssets();
  console.log(copied.length ? `docs assets: copied ${copied.join(", ")} into src/openapi/assets/` : "docs assets: src/openapi/assets/ is up to date");
}
