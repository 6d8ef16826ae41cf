#!/usr/bin/env node
// Copies the API docs' browser files (Swagger UI from swagger-ui-dist, ReDoc from redoc) into
// public/, which Workers Static Assets serves beside the Worker (wrangler.toml [assets]): the
// gateway serves its own docs, no CDN. public/ is generated, not committed. Run by preflight
// (npm start, npm test), vitest.config.ts, scripts/dev-stack.ts and `npm run deploy`.
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Where wrangler.toml's [assets] directory points. */
export const publicDir = join(root, "public");

/** Package file → path under public/ (the URL path the pages in src/openapi/pages.ts load). */
const FILES = [
  ["swagger-ui-dist/swagger-ui-bundle.js", "docs/swagger-ui-bundle.js"],
  ["swagger-ui-dist/swagger-ui.css", "docs/swagger-ui.css"],
  ["swagger-ui-dist/LICENSE", "docs/LICENSE.txt"],
  ["swagger-ui-dist/NOTICE", "docs/NOTICE.txt"],
  ["redoc/bundles/redoc.standalone.js", "redoc/redoc.standalone.js"],
  ["redoc/bundles/redoc.standalone.js.LICENSE.txt", "redoc/redoc.standalone.js.LICENSE.txt"],
  ["redoc/LICENSE", "redoc/LICENSE.txt"],
];

// By content: npm gives every unpacked file the same old mtime, so times say nothing.
const same = (a, b) => existsSync(b) && statSync(a).size === statSync(b).size && readFileSync(a).equals(readFileSync(b));

/** Copies what is missing or changed (a running `wrangler dev` sees no change otherwise); returns the files copied. */
export function copyDocsAssets() {
  const copied = [];
  for (const [from, to] of FILES) {
    const source = join(root, "node_modules", from);
    if (!existsSync(source)) throw new Error(`docs assets: ${from} is missing; run npm install`);
    const target = join(publicDir, to);
    if (same(source, target)) continue;
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(source, target);
    copied.push(to);
  }
  return copied;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const copied = copyDocsAssets();
  console.log(copied.length ? `docs assets: copied ${copied.join(", ")} into public/` : "docs assets: public/ is up to date");
}
