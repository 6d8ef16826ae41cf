import { describe, expect, it } from "vitest";
import { parseSse } from "../../src/core/sse.ts";
import { ADMIN, adminKey, call, simStats, simUrl } from "./helpers.ts";

type Json = Record<string, any>;

/** Providers of each kind, all served by the simulator (it speaks every dialect on one port). */
async function providers() {
  const sim = simUrl();
  const made: Record<string, Json> = {
    claude: { type: "anthropic", base_url: `${sim}/v1`, api_key: "sk-sim-test", models: [{ name: "claude-x", upstream_model: "claude-sonnet-4-5", max_tokens: 1000 }] },
    gem: { type: "gemini", base_url: `${sim}/v1beta`, api_key: "sk-sim-test", models: [{ name: "gemini-x", upstream_model: "gemini-2.5-flash" }] },
    az: { type: "azure", base_url: sim, api_key: "sk-sim-test", api_version: "2024-10-21", models: [{ name: "azure-x", upstream_model: "gpt-4o-deploy" }] },
    inhouse: { type: "token-auth", base_url: `${sim}/v1`, auth_url: `${sim}/auth`, username: "sim-user", password: "sim-pass", models: ["inhouse-x"] },
    fixed: { type: "token-auth", base_url: `${sim}/v1`, token: "sk-sim-test", models: ["fixed-x"] },
  };
  for (const [name, def] of Object.entries(made)) {
    const res = await call("/api/providers", { method: "POST", key: ADMIN, json: { name, limits: { max_concurrency: 4 }, ...def } });
    if (res.status !== 201 && res.status !== 409) throw new Error(`${name}: ${res.status} ${await res.text()}`);
  }
}

const chat = (key: string, model: string, extra: Json = {}) => call("/v1/chat/completions", { method: "POST", key, json: { model, messages: [{ role: "user", content: "hello 你好" }], ...extra } });
const messages = (key: string, model: string, extra: Json = {}) => call("/v1/messages", { method: "POST", key, json: { model, max_tokens: 200, messages: [{ role: "user", content: "hello 你好" }], ...extra } });
const weather = { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } };
const weatherTool = { name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

async function sse(res: Response) {
  return parseSse(new Uint8Array(await res.arrayBuffer()));
}

describe("OpenAI callers reaching providers of other dialects", () => {
  for (const model of ["claude-x", "gemini-x"]) {
    it(`${model}: a plain answer with usage and finish reason, a streamed one, and a tool call`, async () => {
      await providers();
      const key = await adminKey();
      const plain = (await (await chat(key, model)).json()) as Json;
      expect(plain).toMatchObject({ object: "chat.completion", model, choices: [{ finish_reason: "stop", message: { role: "assistant" } }] });
      expect(plain.choices[0].message.content).toMatch(/tok1/);
      expect(plain.usage.prompt_tokens).toBeGreaterThan(0);
      expect(plain.usage.completion_tokens).toBeGreaterThan(0);

      const events = await sse(await chat(key, model, { stream: true, stream_options: { include_usage: true } }));
      expect(events.at(-1)!.data).toBe("[DONE]");
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as Json);
      expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toMatch(/tok1/);
      expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe("stop");
      expect(chunks.at(-1)!.usage.completion_tokens).toBeGreaterThan(0);

      const tool = (await (await chat(key, model, { tools: [weather], tool_choice: "required" })).json()) as Json;
      expect(tool.choices[0]).toMatchObject({ finish_reason: "tool_calls", message: { tool_calls: [{ type: "function", function: { name: "get_weather" } }] } });
      expect(JSON.parse(tool.choices[0].message.tool_calls[0].function.arguments)).toEqual({ city: "sample" });
    });
  }

  it("azure: deployment URL, api-version and api-key header", async () => {
    await providers();
    const res = await chat(await adminKey(), "azure-x");
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).model).toBe("azure-x");
  });
});

describe("Anthropic callers on /v1/messages", () => {
  it("reach an OpenAI-wire provider: a message, Anthropic's event sequence, and a tool_use", async () => {
    const key = await adminKey();
    const plain = (await (await messages(key, "sim-small")).json()) as Json;
    expect(plain).toMatchObject({ type: "message", role: "assistant", model: "sim-small", stop_reason: "end_turn" });
    expect(plain.content[0].text).toMatch(/tok1/);
    expect(plain.usage.output_tokens).toBeGreaterThan(0);

    const events = await sse(await messages(key, "sim-small", { stream: true }));
    const names = events.map((e) => e.event);
    expect(names[0]).toBe("message_start");
    expect(names).toContain("content_block_start");
    expect(names).toContain("content_block_delta");
    expect(names.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    expect(JSON.parse(events.at(-2)!.data)).toMatchObject({ delta: { stop_reason: "end_turn" }, usage: { output_tokens: expect.any(Number) } });

    const tool = (await (await messages(key, "sim-small", { tools: [weatherTool], tool_choice: { type: "any" } })).json()) as Json;
    expect(tool).toMatchObject({ stop_reason: "tool_use", content: [{ type: "tool_use", name: "get_weather", input: { city: "sample" } }] });
  });

  it("reach an Anthropic provider as it answers, under the public model name, and a Gemini one translated", async () => {
    await providers();
    const key = await adminKey();
    const passed = (await (await messages(key, "claude-x")).json()) as Json;
    expect(passed).toMatchObject({ type: "message", model: "claude-x", stop_reason: "end_turn" });
    expect(passed.id).toMatch(/^msg_sim_/);
    const start = (await sse(await messages(key, "claude-x", { stream: true })))[0]!;
    expect(JSON.parse(start.data).message.model).toBe("claude-x");
    const translated = (await (await messages(key, "gemini-x")).json()) as Json;
    expect(translated).toMatchObject({ type: "message", model: "gemini-x", stop_reason: "end_turn" });
  });

  it("answer errors in Anthropic's shape: no key 401, unknown model 404, bad body 400, wrong method 405", async () => {
    const noKey = await call("/v1/messages", { method: "POST", json: { model: "sim-small", max_tokens: 10, messages: [{ role: "user", content: "x" }] } });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    const key = await adminKey();
    expect(await (await messages(key, "nope")).json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    const bad = await call("/v1/messages", { method: "POST", key, json: { model: "sim-small", messages: [{ role: "user", content: "x" }] } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringContaining("max_tokens") } });
    const get = await call("/v1/messages", { key });
    expect(get.status).toBe(405);
    expect(((await get.json()) as Json).type).toBe("error");
  });

  it("counts tokens (an estimate) for a model the caller may use", async () => {
    const key = await adminKey();
    const res = await call("/v1/messages/count_tokens", { method: "POST", key, json: { model: "sim-small", system: "Be brief.", messages: [{ role: "user", content: "a".repeat(400) }] } });
    expect(res.status).toBe(200);
    const { input_tokens } = (await res.json()) as Json;
    expect(input_tokens).toBeGreaterThanOrEqual(100);
    expect(input_tokens).toBeLessThan(110);
    expect((await call("/v1/messages/count_tokens", { method: "POST", key, json: { model: "nope", messages: [{ role: "user", content: "x" }] } })).status).toBe(404);
  });
});

describe("what cannot be translated", () => {
  it("is a 400 naming the field, before any upstream call", async () => {
    await providers();
    const key = await adminKey();
    const before = (await simStats()).requests;
    const bias = await chat(key, "claude-x", { logit_bias: { "1": -100 } });
    expect(bias.status).toBe(400);
    expect(((await bias.json()) as Json).error).toMatchObject({ param: "logit_bias", code: "untranslatable_parameter" });
    const url = await chat(key, "gemini-x", { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/cat.png" } }] }] });
    expect(((await url.json()) as Json).error.param).toBe("messages.0.content.0");
    const cap = await chat(key, "claude-x", { max_tokens: 5000 });
    expect(((await cap.json()) as Json).error).toMatchObject({ param: "max_tokens", message: expect.stringContaining("at most 1000") });
    const embed = await call("/v1/embeddings", { method: "POST", key, json: { model: "claude-x", input: "x" } });
    expect(((await embed.json()) as Json).error.code).toBe("unsupported_model_operation");
    expect((await simStats()).requests).toBe(before);
  });

  it("takes no slot: more refused calls than the provider's cap leave it free", async () => {
    await providers();
    const key = await adminKey();
    // claude-x's provider admits 4 at a time.
    for (let i = 0; i < 6; i++) expect((await call("/v1/embeddings", { method: "POST", key, json: { model: "claude-x", input: "x" } })).status).toBe(400);
    for (let i = 0; i < 6; i++) expect((await chat(key, "claude-x", { logit_bias: { "1": -100 } })).status).toBe(400);
    const status = (await (await call("/api/status", { key: ADMIN })).json()) as { data: Json[] };
    expect(status.data.find((p) => p.provider === "claude")).toMatchObject({ realtime_in_flight: 0 });
    expect((await chat(key, "claude-x")).status).toBe(200);
  });
});

describe("token-auth providers", () => {
  it("exchange username and password once, reuse the token, and exchange again after a 401", async () => {
    await providers();
    const key = await adminKey();
    const exchanges = async () => ((await simStats()) as Json).authExchanges as number;
    expect((await chat(key, "inhouse-x")).status).toBe(200);
    const first = await exchanges();
    for (let i = 0; i < 3; i++) expect((await chat(key, "inhouse-x")).status).toBe(200);
    expect(await exchanges()).toBe(first);
    // The service expires every token: the next call gets a 401, exchanges again, and succeeds.
    await fetch(`${simUrl()}/sim/expire-tokens`, { method: "POST" });
    expect((await chat(key, "inhouse-x")).status).toBe(200);
    expect(await exchanges()).toBe(first + 1);
    // A fixed token needs no exchange.
    expect((await chat(key, "fixed-x")).status).toBe(200);
    expect(await exchanges()).toBe(first + 1);
  });

  it("report refused credentials as the gateway's problem (502), not the caller's", async () => {
    const sim = simUrl();
    await call("/api/providers", { method: "POST", key: ADMIN, json: { name: "wrongpw", type: "token-auth", base_url: `${sim}/v1`, auth_url: `${sim}/auth`, username: "sim-user", password: "wrong", limits: { max_concurrency: 2 }, models: ["wrongpw-x"] } });
    const key = await adminKey();
    const refusedBefore = ((await simStats()) as Json).authRefused as number;
    // More calls than the provider's cap (2): each is a 502 and none keeps a slot.
    for (let i = 0; i < 4; i++) {
      const res = await chat(key, "wrongpw-x");
      expect(res.status).toBe(502);
      expect(((await res.json()) as Json).error.code).toBe("upstream_auth_failed");
    }
    // The refusal is remembered for a few seconds: the wrong password was posted once, not four times.
    expect(((await simStats()) as Json).authRefused).toBe(refusedBefore + 1);
  });
});
