// End to end across dialects: the official Anthropic SDK on /v1/messages and the official OpenAI
// SDK on /v1/chat/completions, each reaching simulated providers of every other type through
// `wrangler dev`: the text, tool calls, stop reasons and usage the client reads.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STACK_ADMIN_KEY, startStack, stackKey, type Stack } from "../../scripts/dev-stack.ts";

let stack: Stack;
let key: string;
let anthropic: Anthropic;
let openai: OpenAI;

const limits = { max_concurrency: 8 };

beforeAll(async () => {
  stack = await startStack({
    sim: { maxConcurrency: 16, ttftMs: 5, tokensPerSecond: 2000 },
    providers: (sim) => [
      { limits, name: "claude", type: "anthropic", base_url: `${sim}/v1`, api_key: "${SIM_API_KEY}", models: [{ name: "claude-x", upstream_model: "claude-sonnet-4-5" }] },
      { limits, name: "gem", type: "gemini", base_url: `${sim}/v1beta`, api_key: "${SIM_API_KEY}", models: [{ name: "gemini-x", upstream_model: "gemini-2.5-flash" }] },
      { limits, name: "az", type: "azure", base_url: sim, api_key: "${SIM_API_KEY}", api_version: "2024-10-21", models: [{ name: "azure-x", upstream_model: "gpt-4o-deploy" }] },
      { limits, name: "inhouse", type: "token-auth", base_url: `${sim}/v1`, auth_url: `${sim}/auth`, username: "sim-user", password: "sim-pass", models: ["inhouse-x"] },
    ],
  });
  key = await stackKey(stack);
  anthropic = new Anthropic({ apiKey: key, baseURL: stack.url, maxRetries: 0 });
  openai = new OpenAI({ apiKey: key, baseURL: `${stack.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await stack?.stop();
});

const weatherTool = { name: "get_weather", description: "Weather in a city", input_schema: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] } };
const weatherFunction = { type: "function" as const, function: { name: "get_weather", parameters: weatherTool.input_schema } };

const textOf = (message: Anthropic.Message) =>
  message.content
    .filter((b) => b.type === "text")
    .map((b) => (b.type === "text" ? b.text : ""))
    .join("");

// Every provider type that does not speak Anthropic: OpenAI-compatible, Gemini, Azure, token-auth.
describe.each(["sim-small", "gemini-x", "azure-x", "inhouse-x"])("the Anthropic SDK on /v1/messages reaching %s", (model) => {
  it("gets a message with text, usage and the stop reason", async () => {
    const message = await anthropic.messages.create({ model, max_tokens: 200, system: "Be brief.", messages: [{ role: "user", content: "hello 你好" }] });
    expect(message).toMatchObject({ type: "message", role: "assistant", model, stop_reason: "end_turn" });
    expect(textOf(message)).toMatch(/^tok1 tok2/);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it("streams Anthropic's event sequence, ending in the same message", async () => {
    const stream = anthropic.messages.stream({ model, max_tokens: 200, messages: [{ role: "user", content: "hello 你好" }] });
    const types: string[] = [];
    stream.on("streamEvent", (event) => types.push(event.type));
    const final = await stream.finalMessage();
    expect(types[0]).toBe("message_start");
    expect(types.slice(1, 3)).toEqual(["content_block_start", "content_block_delta"]);
    expect(types.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    expect(textOf(final)).toMatch(/^tok1 tok2/);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it("calls a tool, plain and streamed, and reads the tool's result in the next turn", async () => {
    const ask = { model, max_tokens: 200, tools: [weatherTool], tool_choice: { type: "any" as const }, messages: [{ role: "user" as const, content: "weather in Beijing?" }] };
    const plain = await anthropic.messages.create(ask);
    expect(plain.stop_reason).toBe("tool_use");
    const use = plain.content.find((b) => b.type === "tool_use");
    expect(use).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "sample" } });

    const streamed = await anthropic.messages.stream(ask).finalMessage();
    expect(streamed.stop_reason).toBe("tool_use");
    expect(streamed.content.find((b) => b.type === "tool_use")).toMatchObject({ name: "get_weather", input: { city: "sample" } });

    const id = use!.type === "tool_use" ? use!.id : "";
    const next = await anthropic.messages.create({
      model,
      max_tokens: 200,
      tools: [weatherTool],
      messages: [...ask.messages, { role: "assistant", content: plain.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "sunny, 21°C" }] }],
    });
    expect(next.stop_reason).toBe("end_turn");
    expect(textOf(next)).toMatch(/^tok1/);
  });
});

describe("the Anthropic SDK, beyond a plain call", () => {
  it("stops at max_tokens with stop_reason max_tokens", async () => {
    const message = await anthropic.messages.create({ model: "sim-small", max_tokens: 3, messages: [{ role: "user", content: "a long story please" }] });
    expect(message.stop_reason).toBe("max_tokens");
    expect(message.usage.output_tokens).toBe(3);
  });

  it("runs on the task lane with the same switch as the OpenAI route", async () => {
    const task = new Anthropic({ apiKey: key, baseURL: stack.url, maxRetries: 0, defaultHeaders: { "X-Request-Class": "task" } });
    const message = await task.messages.create({ model: "gemini-x", max_tokens: 50, messages: [{ role: "user", content: "task lane" }] });
    expect(textOf(message)).toMatch(/^tok1/);
    // The log row is written after the answer: look for it until it is there.
    let rows: { endpoint: string; lane: string; status: number }[] = [];
    for (let i = 0; i < 100 && rows.length === 0; i++) {
      const res = await fetch(`${stack.url}/api/logs?lane=task&model=gemini-x`, { headers: { authorization: `Bearer ${STACK_ADMIN_KEY}` } });
      rows = ((await res.json()) as { data: typeof rows }).data;
      if (rows.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(rows[0]).toMatchObject({ endpoint: "messages", lane: "task", status: 200 });
  });

  it("gets errors in Anthropic's shape, as the SDK's own error classes", async () => {
    const bad = new Anthropic({ apiKey: "sk-gw-wrong", baseURL: stack.url, maxRetries: 0 });
    await expect(bad.messages.create({ model: "sim-small", max_tokens: 10, messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(anthropic.messages.create({ model: "nope", max_tokens: 10, messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    const refused = await anthropic.messages.create({ model: "gemini-x", max_tokens: 10, messages: [{ role: "user", content: [{ type: "document", source: { type: "text", media_type: "text/plain", data: "x" } }] }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect((refused as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringContaining("messages.0.content.0") } });
  });

  it("counts tokens", async () => {
    const counted = await anthropic.messages.countTokens({ model: "sim-small", messages: [{ role: "user", content: "hello there, how are you today?" }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
  });
});

// Every provider type that does not speak OpenAI: Anthropic and Gemini.
describe.each(["claude-x", "gemini-x"])("the OpenAI SDK reaching %s", (model) => {
  it("gets a chat completion with text, usage and the finish reason", async () => {
    const completion = await openai.chat.completions.create({ model, messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hello 你好" }] });
    expect(completion).toMatchObject({ object: "chat.completion", model, choices: [{ finish_reason: "stop", message: { role: "assistant" } }] });
    expect(completion.choices[0]!.message.content).toMatch(/^tok1 tok2/);
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
  });

  it("streams chunks with usage, ending in [DONE]", async () => {
    const stream = await openai.chat.completions.create({ model, messages: [{ role: "user", content: "hello" }], stream: true, stream_options: { include_usage: true } });
    let text = "";
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toMatch(/^tok1 tok2/);
    expect(finish).toBe("stop");
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("calls a tool, plain and streamed, and reads the tool's result in the next turn", async () => {
    const ask = { model, tools: [weatherFunction], tool_choice: "required" as const, messages: [{ role: "user" as const, content: "weather in Beijing?" }] };
    const plain = await openai.chat.completions.create(ask);
    expect(plain.choices[0]!.finish_reason).toBe("tool_calls");
    const call = plain.choices[0]!.message.tool_calls![0]!;
    expect(call.type === "function" && [call.function.name, JSON.parse(call.function.arguments)]).toEqual(["get_weather", { city: "sample" }]);

    const streamed = await openai.chat.completions.stream(ask).finalChatCompletion();
    expect(streamed.choices[0]!.finish_reason).toBe("tool_calls");
    const streamedCall = streamed.choices[0]!.message.tool_calls![0]!;
    expect(streamedCall.type === "function" && JSON.parse(streamedCall.function.arguments)).toEqual({ city: "sample" });

    const next = await openai.chat.completions.create({
      model,
      tools: [weatherFunction],
      messages: [...ask.messages, plain.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: "sunny, 21°C" }],
    });
    expect(next.choices[0]!.finish_reason).toBe("stop");
    expect(next.choices[0]!.message.content).toMatch(/^tok1/);
  });
});

describe("a token-auth provider", () => {
  it("exchanges once, reuses the token, and on a 401 exchanges again and retries the call once", async () => {
    const ask = { model: "inhouse-x", messages: [{ role: "user" as const, content: "hello" }] };
    await openai.chat.completions.create(ask);
    stack.sim.reset();
    await openai.chat.completions.create(ask);
    expect(stack.sim.stats()).toMatchObject({ authExchanges: 0, unauthorized: 0, completed: 1 });

    stack.sim.expireTokens();
    const after = await openai.chat.completions.create(ask);
    expect(after.choices[0]!.message.content).toMatch(/^tok1/);
    expect(stack.sim.stats()).toMatchObject({ authExchanges: 1, unauthorized: 1, completed: 2 });
  });
});
