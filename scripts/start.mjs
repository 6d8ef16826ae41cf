#!/usr/bin/env node
// `npm start [-- --port N]`: preflight, then the upstream simulator and `wrangler dev` side by side.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { preflight, root } from "./preflight.mjs";

preflight();

const args = process.argv.slice(2);
const portFlag = args.indexOf("--port");
const port = portFlag === -1 ? "8787" : args.splice(portFlag, 2)[1];
if (!/^\d+$/.test(port ?? "")) {
  console.error("usage: npm start -- --port N");
  process.exit(2);
}
const simPort = process.env.SIM_PORT ?? "8786";
const devVars = Object.fromEntries(
  readFileSync(join(root, ".dev.vars"), "utf8")
    .split("\n")
    .map((line) => /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line))
    .filter(Boolean)
    .map((m) => [m[1], m[2].replace(/^"(.*)"$/, "$1")]),
);

const children = [];
const stop = (code = 0) => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  process.exit(code);
};
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

// The bundled simulator stands in for a provider, so the first chat call works without any key.
const sim = spawn(process.execPath, ["--experimental-strip-types", "--no-warnings", join(root, "sim", "cli.ts"), "--port", simPort, "--max-concurrency", "8", "--api-key", devVars.SIM_API_KEY ?? "sk-sim-local"], { stdio: ["ignore", "inherit", "inherit"] });
children.push(sim);
sim.on("exit", (code) => {
  if (code && code !== 0) console.error(`simulator exited (${code}); is port ${simPort} taken? set SIM_PORT to move it.`);
});

const extra = [];
if (simPort !== "8786" && devVars.PROVIDERS) {
  // Every simulator-backed provider (one per wire format) follows the simulator to its port.
  extra.push("--var", `PROVIDERS:${devVars.PROVIDERS.replaceAll("127.0.0.1:8786", `127.0.0.1:${simPort}`)}`);
}
const dev = spawn(join(root, "node_modules", ".bin", "wrangler"), ["dev", "--ip", "127.0.0.1", "--port", port, ...extra, ...args], { cwd: root, stdio: "inherit" });
children.push(dev);
dev.on("exit", (code) => stop(code ?? 0));
