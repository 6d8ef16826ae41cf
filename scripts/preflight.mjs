#!/usr/bin/env node
// Preflight for `npm start` and `npm test` on a fresh clone: Node version, dependencies, the API
// docs' assets, .dev.vars, local D1 migrations. Dependency-free on purpose: it runs before `npm install`.
import { execFileSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { copyDocsAssets } from "./docs-assets.mjs";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const MIN_NODE = [22, 12];

/** Exits with a clear message when Node is older than the tooling needs. */
export function checkNode() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    console.error(
      `This project needs Node ${MIN_NODE.join(".")} or newer (wrangler requires it); this is Node ${process.versions.node}.\n` +
        `Install Node 22 (for example with nvm: 'nvm install 22', or 'npm install --prefix ~/.cache/node22 node@22'\n` +
        `and put ~/.cache/node22/node_modules/.bin first on PATH), then run the command again.`,
    );
    process.exit(1);
  }
}

const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);

/** Installs dependencies when node_modules is missing or older than the manifest or lockfile. */
export function ensureDependencies() {
  const installed = join(root, "node_modules", ".package-lock.json");
  const stale = !existsSync(installed) || mtime(join(root, "package-lock.json")) > mtime(installed) || mtime(join(root, "package.json")) > mtime(installed);
  if (!stale) return;
  const fresh = !existsSync(join(root, "node_modules"));
  console.log(fresh ? "preflight: installing dependencies…" : "preflight: dependencies changed, running npm install…");
  execFileSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
}

const settingNames = (text) => new Set([...text.matchAll(/^\s*([A-Z0-9_]+)\s*=/gm)].map((m) => m[1]));

/** Creates .dev.vars from the example the first time; later, adds settings the example gained since. */
export function ensureDevVars() {
  const target = join(root, ".dev.vars");
  const example = join(root, ".dev.vars.example");
  if (!existsSync(target)) {
    copyFileSync(example, target);
    console.log("preflight: created .dev.vars from .dev.vars.example (local development values)");
    return;
  }
  let text = readFileSync(target, "utf8");
  // The root key's minimum length grew to 32: replace the old local default, which no longer passes.
  if (/^ADMIN_API_KEY=sk-admin-local-dev-only\s*$/m.test(text)) {
    text = text.replace(/^ADMIN_API_KEY=sk-admin-local-dev-only\s*$/m, "ADMIN_API_KEY=sk-admin-local-dev-only-0123456789ab");
    writeFileSync(target, text);
    console.log("preflight: updated the local ADMIN_API_KEY in .dev.vars to the new default (at least 32 characters)");
  }
  const have = settingNames(text);
  const missing = readFileSync(example, "utf8").split("\n").filter((line) => { const name = /^\s*([A-Z0-9_]+)\s*=/.exec(line)?.[1]; return name && !have.has(name); });
  if (missing.length === 0) return;
  appendFileSync(target, `\n# Added by preflight from .dev.vars.example\n${missing.join("\n")}\n`);
  console.log(`preflight: added ${missing.map((l) => l.split("=")[0]).join(", ")} to .dev.vars from .dev.vars.example`);
}

/** Applies D1 migrations to the local database (optionally under a separate persistence folder). */
export function applyLocalMigrations(persistTo) {
  const args = ["d1", "migrations", "apply", "DB", "--local", ...(persistTo ? ["--persist-to", persistTo] : [])];
  execFileSync(join(root, "node_modules", ".bin", "wrangler"), args, { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, CI: "true" } });
}

/** Everything a fresh clone needs before it can run. */
export function preflight({ migrate = true } = {}) {
  checkNode();
  ensureDependencies();
  ensureDevVars();
  copyDocsAssets();
  if (migrate) applyLocalMigrations();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  preflight({ migrate: !process.argv.includes("--no-migrate") });
}
