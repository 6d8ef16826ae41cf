import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.mjs";
import { capture, delta, fakeGateway, json, sse } from "./fake-gateway.testkit.ts";

const KEY = "sk-gw-never-printed-0123456789";
let gateway: Awaited<ReturnType<typeof fakeGateway>>;
let polls = 0;

beforeAll(async () => {
  gateway = await fakeGateway({
    "GET /v1/models": (_req, res) => json(res, 200, { object: "list", data: [{ id: "good", object: "model", created: 0, owned_by: "p" }, { id: "down", object: "model", created: 0, owned_by: "p" }] }),
    "POST /v1/models/good/test": (_req, res) => json(res, 200, { model: "good", deployment: "p/good", ok: true, status: 200, latency_ms: 42, attempts: 1, answer: "tok1 tok2", usage: null, error: null }, "req_good"),
    "POST /v1/models/down/test": (_req, res) => json(res, 200, { model: "down", deployment: "p/down", ok: false, status: 503, latency_ms: 7, attempts: 1, answer: null, usage: null, error: { message: "provider unavailable", code: "upstream_unavailable" } }, "req_down"),
    "POST /api/keys": (req, res) => json(res, 201, { id: "key-1", object: "api_key", name: (req.body as { name: string }).name, prefix: "sk-gw-AbCd…", models: null, key: "sk-gw-new-key" }),
    "POST /v1/chat/completions": (req, res) => {
      const prompt = (req.body as { messages: { content: string }[] }).messages.at(-1)!.content;
      if (prompt === "fail") return sse(res, [delta("half an"), JSON.stringify({ error: { message: "upstream connection broke mid-stream", code: "upstream_stream_cut" } })], "req_cut");
      sse(res, [delta("tok1"), delta(" tok2"), "[DONE]"]);
    },
    "POST /v1/tasks": (req, res) => {
      const { model, messages } = req.body as { model: string; messages: { content: string }[] };
      json(res, 202, { id: messages[0]!.content === "doomed" ? "task_2" : "task_1", object: "task", status: "queued", model, result: null, error: null });
    },
    "GET /v1/tasks/task_1": (_req, res) => {
      polls += 1;
      if (polls < 3) return json(res, 200, { id: "task_1", object: "task", status: polls === 1 ? "queued" : "running", result: null, error: null });
      json(res, 200, { id: "task_1", object: "task", status: "succeeded", result: { object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "done later" } }] }, error: null });
    },
    "GET /v1/tasks/task_2": (_req, res) => json(res, 200, { id: "task_2", object: "task", status: "failed", result: null, error: { message: "upstream refused", type: "upstream_error", code: "upstream_error" } }),
  });
});

afterAll(() => gateway.close());

async function run(argv: string[], tty = false) {
  const io = capture(tty);
  const code = await main(argv, { ...io, stdin: Object.assign((async function* () {})(), { isTTY: true }), env: { HYBRID_GATEWAY_URL: gateway.url, HYBRID_GATEWAY_KEY: KEY }, now: Date.now });
  expect(io.out.text + io.err.text).not.toContain(KEY);
  return { code, out: io.out.text, err: io.err.text };
}

describe("test", () => {
  it("reports every model and exits 1 when one failed", async () => {
    const { code, out } = await run(["test"]);
    expect(code).toBe(1);
    expect(out).toBe(
      [
        "[1/2] good  ok       42 ms  tok1 tok2",
        "[2/2] down  FAIL      7 ms  503 upstream_unavailable: provider unavailable (request id req_down)",
        "1 of 2 answered, 1 failed",
        "",
      ].join("\n"),
    );
  });

  it("exits 0 when every model named answered", async () => {
    expect((await run(["test", "good"])).code).toBe(0);
  });

  it("counts a model the gateway will not test as failed", async () => {
    const { code, out } = await run(["test", "good", "gone"]);
    expect(code).toBe(1);
    expect(out).toMatch(/\[2\/2\] gone  FAIL .* 404 not_found: no such route \(request id req_fake404\)/);
  });

  it("shows a progress line on a terminal, and none when piped", async () => {
    expect((await run(["test"], true)).err).toContain("\r\x1b[2K[2/2] testing down …");
    expect((await run(["test"], false)).err).toBe("");
  });
});

describe("chat", () => {
  it("streams the answer and ends the line", async () => {
    expect(await run(["chat", "你好", "--model", "m"])).toEqual({ code: 0, out: "tok1 tok2\n", err: "" });
  });

  it("ends a broken stream's partial answer with a newline, then the error and its request id", async () => {
    expect(await run(["chat", "fail", "-m", "m"])).toEqual({ code: 1, out: "half an\n", err: "error: upstream connection broke mid-stream (upstream_stream_cut, request id req_cut)\n" });
  });

  it("submits a task and waits for its result", async () => {
    const { code, out, err } = await run(["chat", "later", "--model", "m", "--task", "--deadline", "1h"]);
    expect({ code, out }).toEqual({ code: 0, out: "done later\n" });
    expect(err).toContain("task task_1 queued");
    expect(polls).toBe(3);
    const submitted = gateway.seen.find((r) => r.path === "/v1/tasks")!.body as { deadline: string; messages: unknown };
    expect(Date.parse(submitted.deadline) - Date.now()).toBeGreaterThan(3_500_000);
    expect(submitted.messages).toEqual([{ role: "user", content: "later" }]);
  });

  it("exits 1 with the error of a task that failed", async () => {
    expect(await run(["chat", "doomed", "--model", "m", "--task"])).toMatchObject({ code: 1, out: "", err: expect.stringContaining("error: task task_2 failed: upstream refused (upstream_error)\n") });
  });

  it("needs a model", async () => {
    expect(await run(["chat", "hi"])).toMatchObject({ code: 2, err: "hybrid-gateway: chat needs --model M (see `hybrid-gateway models`)\n" });
  });
});

describe("keys create", () => {
  it("prints the key alone on stdout and the rest on stderr", async () => {
    const { code, out, err } = await run(["keys", "create", "--name", "ci", "--models", "a, b"]);
    expect({ code, out }).toEqual({ code: 0, out: "sk-gw-new-key\n" });
    expect(err).toMatch(/created key "ci" \(id key-1\)\. It is shown this once/);
    expect(gateway.seen.at(-1)?.body).toEqual({ name: "ci", models: ["a", "b"] });
  });
});
