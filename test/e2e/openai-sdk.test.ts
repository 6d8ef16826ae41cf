// End to end: the official `openai` client against `wrangler dev` and the simulator.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, stackKey, type Stack } from "../../scripts/dev-stack.ts";

let stack: Stack;
let client: OpenAI;

beforeAll(async () => {
  stack = await startStack({ sim: { maxConcurrency: 8, ttftMs: 5, tokensPerSecond: 1000 } });
  client = new OpenAI({ apiKey: await stackKey(stack), baseURL: `${stack.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await stack?.stop();
});

describe("the official OpenAI SDK through the gateway", () => {
  it("gets a chat completion", async () => {
    const completion = await client.chat.completions.create({ model: "sim-small", messages: [{ role: "user", content: "hello" }] });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]?.message.content).toContain("tok1");
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("streams a chat completion with usage", async () => {
    const stream = await client.chat.completions.create({ model: "sim-small", messages: [{ role: "user", content: "hello" }], stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(text).toMatch(/^tok1 tok2/);
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  it("lists models", async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["sim-small", "sim-large"]);
  });

  it("gets embeddings", async () => {
    const res = await client.embeddings.create({ model: "sim-small", input: ["a", "b"] });
    expect(res.data).toHaveLength(2);
  });

  it("surfaces a bad key as AuthenticationError (401)", async () => {
    const bad = new OpenAI({ apiKey: "sk-gw-wrong", baseURL: `${stack.url}/v1`, maxRetries: 0 });
    await expect(bad.models.list()).rejects.toMatchObject({ status: 401, code: "invalid_api_key" });
  });

  it("surfaces a bad body as BadRequestError (400) naming the field", async () => {
    await expect(client.chat.completions.create({ model: "sim-small", messages: [] })).rejects.toMatchObject({ status: 400, param: "messages" });
  });

  it("surfaces an unknown model as NotFoundError (404)", async () => {
    await expect(client.chat.completions.create({ model: "gpt-nope", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("turns a stream cut upstream into an error the SDK throws", async () => {
    const stream = await client.chat.completions.create({ model: "sim-small", messages: [{ role: "user", content: "x [sim:fault=cut]" }], stream: true });
    await expect(
      (async () => {
        for await (const _ of stream) {
          // drain
        }
      })(),
    ).rejects.toThrow(/mid-stream|before \[DONE\]/);
  });
});
