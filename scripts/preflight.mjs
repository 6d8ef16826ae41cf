#!/usr/bin/env node
// Preflight for `npm start` and `npm test` on a fresh clone: Node version, dependencies,
// .dev.vars, local D1 migrations. Dependency-free on purpose: it runs before `npm install`.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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

/** Creates .dev.vars from the example the first time. */
export function ensureDevVars() {
  const target = join(root, ".dev.vars");
  if (existsSync(target)) return;
  copyFileSync(join(root, ".dev.vars.example"), target);
  console.log("preflight: created .dev.vars from .dev.vars.example (local development values)");
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
  if (migrate) applyLocalMigrations();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  preflight({ migrate: !process.argv.includes("--no-migrate") });
}
