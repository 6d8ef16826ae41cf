// Starts the simulator and `wrangler dev` on free ports with their own state folder: the
// gateway exactly as `npm start` runs it, for end-to-end tests and benchmarks.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startSimulator, type SimOptions, type Simulator } from "../sim/server.ts";
import { copyDocsAssets } from "./docs-assets.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules", ".bin", "wrangler");

export const STACK_ADMIN_KEY = "sk-admin-stack-0123456789abcdefghi";
const SIM_KEY = "sk-sim-stack";

export interface StackOptions {
  sim?: SimOptions;
  /** The simulated provider's limits as the gateway sees them. */
  limits?: { max_concurrency: number; rpm?: number; tpm?: number };
  /** Extra variables for the Worker (REALTIME_WAIT_MS, …). */
  vars?: Record<string, string>;
  /** Runs on the state folder after the migrations, before the gateway starts (a benchmark seeds D1 here). */
  beforeStart?: (state: string) => void;
  /** More providers beside "sim", given the simulator's URL (it speaks every dialect on one port). */
  providers?: (simUrl: string) => Record<string, unknown>[];
}

export interface Stack {
  url: string;
  /** CPU time used so far by this gateway's `wrangler dev` (its node process and workerd), in ms; undefined off Linux. */
  cpuMs(): number | undefined;
  sim: Simulator;
  /** The gateway's local state folder (D1, Durable Objects). */
  state: string;
  /** Stops the gateway abruptly (SIGKILL), as a crash would. */
  crash(): Promise<void>;
  /** Starts the gateway again on the same port and state folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${log()}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
      // A configuration the gateway refuses will not fix itself: say so now.
      const body = await res.text();
      if (body.includes("gateway_misconfigured")) throw new Error(`gateway misconfigured: ${body}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("gateway misconfigured")) throw error;
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gateway did not become healthy in time:\n${log()}`);
}

/** Starts a simulator and a gateway in front of it. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = await startSimulator({ apiKey: SIM_KEY, ...options.sim });
  const state = mkdtempSync(join(tmpdir(), "gateway-stack-"));
  // The API docs' files (Text modules the Worker imports) must exist before wrangler bundles it.
  copyDocsAssets();
  execFileSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { cwd: root, stdio: "ignore", env: { ...process.env, CI: "true" } });
  options.beforeStart?.(state);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const providers = [
    { name: "sim", type: "openai-compatible", base_url: `${sim.url}/v1`, api_key: "${SIM_API_KEY}", limits: options.limits ?? { max_concurrency: 8 }, models: ["sim-small", "sim-large"] },
    ...(options.providers?.(sim.url) ?? []),
  ];
  const vars: Record<string, string> = {
    ADMIN_API_KEY: STACK_ADMIN_KEY,
    JWT_SECRET: "stack-jwt-secret-0123456789abcdef0123456789",
    ENCRYPTION_KEY: "c3RhY2stZW5jcnlwdGlvbi1rZXktMzItYnl0ZXMtMDA=",
    SIM_API_KEY: SIM_KEY,
    ALLOW_PRIVATE_UPSTREAMS: "true",
    ALLOW_REGISTRATION: "true",
    PROVIDERS: JSON.stringify(providers),
    ...options.vars,
  };
  let worker: WranglerProcess;
  const launch = async () => {
    worker = await startWrangler(["--port", String(port), "--persist-to", state, ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`])], url);
  };
  await launch();
  return {
    url,
    sim,
    state,
    cpuMs: () => worker.cpuMs(),
    crash: () => worker.kill("SIGKILL"),
    restart: launch,
    async stop() {
      await worker.kill("SIGTERM");
      await sim.close();
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** Makes an API key with the stack's root credential. */
export async function stackKey(stack: Stack, name = "test"): Promise<string> {
  const res = await fetch(`${stack.url}/api/keys`, { method: "POST", headers: { authorization: `Bearer ${STACK_ADMIN_KEY}`, "content-type": "application/json" }, body: JSON.stringify({ name }) });
  if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { key: string }).key;
}

interface WranglerProcess {
  kill(signal: NodeJS.Signals): Promise<void>;
  cpuMs(): number | undefined;
}

/**
 * User plus system CPU time of every process in a process group (wrangler, its node children and
 * workerd), in ms, from /proc; undefined where there is no /proc (not Linux).
 */
function processGroupCpuMs(group: number): number | undefined {
  if (!existsSync("/proc/self/stat")) return undefined;
  const msPerTick = 10; // USER_HZ is 100 on Linux
  let ticks = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the command name: state, ppid, pgrp, …, utime (14th), stime (15th).
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === group) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks * msPerTick;
}

/** `wrangler dev` with these arguments (a port among them), once `url` answers its health check. */
async function startWrangler(args: string[], url: string): Promise<WranglerProcess> {
  const inspector = await freePort();
  let output = "";
  const child = spawn(wrangler, ["dev", "--ip", "127.0.0.1", "--inspector-port", String(inspector), "--show-interactive-dev-session=false", "--log-level", "warn", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "true" }, detached: true });
  child.stdout?.on("data", (d) => (output = (output + d).slice(-20_000)));
  child.stderr?.on("data", (d) => (output = (output + d).slice(-20_000)));
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    // wrangler runs workerd as a child: signal the whole process group.
    try {
      process.kill(-child.pid!, signal);
    } catch {
      child.kill(signal);
    }
    await exited;
  };
  try {
    await waitHealthy(url, child, () => output);
  } catch (error) {
    await kill("SIGTERM");
    throw error;
  }
  return { kill, cpuMs: () => processGroupCpuMs(child.pid!) };
}

/** The bare passthrough Worker (bench/passthrough) under `wrangler dev`, forwarding to `upstreamUrl`. */
export async function startPassthrough(upstreamUrl: string, upstreamKey: string): Promise<{ url: string; cpuMs(): number | undefined; stop(): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const worker = await startWrangler(["--config", join(root, "bench", "passthrough", "wrangler.toml"), "--port", String(port), "--var", `UPSTREAM_URL:${upstreamUrl}`, "--var", `UPSTREAM_KEY:${upstreamKey}`], url);
  return { url, cpuMs: () => worker.cpuMs(), stop: () => worker.kill("SIGTERM") };
}
