// End to end: the `hybrid-gateway` CLI and examples/openai-client.mjs, run as child processes
// against `wrangler dev` and the simulator.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, stackKey, STACK_ADMIN_KEY, type Stack } from "../../scripts/dev-stack.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
let stack: Stack;
let key: string;

beforeAll(async () => {
  stack = await startStack({ sim: { maxConcurrency: 8, ttftMs: 5, tokensPerSecond: 1000 } });
  key = await stackKey(stack, "cli");
});

afterAll(async () => {
  await stack?.stop();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command args` from the repository root with the gateway's URL and `apiKey` in the environment. */
function run(command: string, args: string[], apiKey = key): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, HYBRID_GATEWAY_URL: stack.url, HYBRID_GATEWAY_KEY: apiKey, NO_UPDATE_NOTIFIER: "1" };
    const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const cli = (args: string[], apiKey?: string) => run(process.execPath, [join(root, "bin", "hybrid-gateway.mjs"), ...args], apiKey);

describe("the hybrid-gateway CLI", () => {
  it("runs through npx from the repository root: chat \"你好\" prints an answer", async () => {
    const { code, stdout } = await run("npx", ["hybrid-gateway", "chat", "你好", "--model", "sim-small"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^tok1 tok2 .*\n$/);
  });

  it("lists the models", async () => {
    const { code, stdout } = await cli(["models"]);
    expect(code).toBe(0);
    expect(stdout.split("\n").map((line) => line.split(/\s+/)[0])).toEqual(["MODEL", "sim-small", "sim-large", ""]);
  });

  it("answers whole, and through the task lane", async () => {
    expect(await cli(["chat", "你好", "--model", "sim-large", "--no-stream"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^tok1 tok2 .*\n$/) });
    const task = await cli(["chat", "你好", "--model", "sim-small", "--task", "--deadline", "10m"]);
    expect(task).toMatchObject({ code: 0, stdout: expect.stringMatching(/^tok1 tok2 .*\n$/) });
    expect(task.stderr).toMatch(/^task task_\w+ queued/);
  });

  it("tests every model, one line each", async () => {
    const { code, stdout } = await cli(["test"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\[1\/2\] sim-small  ok +\d+ ms  tok1 tok2.*\n\[2\/2\] sim-large  ok +\d+ ms  tok1 tok2.*\n2 of 2 answered\n$/);
  });

  it("reports a model that fails with the gateway's message and request id, and exits 1", async () => {
    const { code, stdout } = await cli(["test", "sim-small", "gpt-nope"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/\[2\/2\] gpt-nope   FAIL +\d+ ms  404 model_not_found: The model 'gpt-nope' does not exist \(request id req_\w+\)\n1 of 2 answered, 1 failed\n$/);
    const chat = await cli(["chat", "hi", "--model", "gpt-nope"]);
    expect(chat).toMatchObject({ code: 1, stdout: "" });
    expect(chat.stderr).toMatch(/^error: The model 'gpt-nope' does not exist \(404 model_not_found, param model, request id req_\w+\)\n$/);
  });

  it("creates, lists and revokes a key; the revoked key then gets a 401", async () => {
    const created = await cli(["keys", "create", "--name", "round-trip", "--models", "sim-small", "--json"], STACK_ADMIN_KEY);
    expect(created.code).toBe(0);
    const { id, key: newKey } = JSON.parse(created.stdout) as { id: string; key: string };
    expect(await cli(["models"], newKey)).toMatchObject({ code: 0, stdout: expect.not.stringContaining("sim-large") });

    const listed = await cli(["keys", "list"], STACK_ADMIN_KEY);
    expect(listed.stdout).toMatch(new RegExp(`^${id}  round-trip .* sim-small .* active$`, "m"));
    expect(listed.stdout).not.toContain(newKey);

    expect(await cli(["keys", "revoke", id], STACK_ADMIN_KEY)).toEqual({ code: 0, stdout: `revoked key ${id}\n`, stderr: "" });
    expect((await cli(["keys", "list"], STACK_ADMIN_KEY)).stdout).toMatch(new RegExp(`^${id}  round-trip .* revoked \\S+Z$`, "m"));
    const refused = await cli(["models"], newKey);
    expect(refused).toMatchObject({ code: 1, stdout: "" });
    expect(refused.stderr).toMatch(/^error: .* \(401 invalid_api_key, request id req_\w+\)\n$/);
    expect(refused.stderr).not.toContain(newKey);
  });
});

describe("examples/openai-client.mjs", () => {
  it("makes a realtime call and a task call, printing both answers", async () => {
    const { code, stdout } = await run(process.execPath, [join(root, "examples", "openai-client.mjs"), "sim-large"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^realtime: tok1 tok2 .*\ntask task_\w+: queued\ntask: tok1 tok2 .*\n$/);
  });
});
