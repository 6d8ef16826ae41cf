import { describe, expect, it } from "vitest";
import { post, simulators } from "./testkit.ts";

const start = simulators();
const body = { model: "gpt-4o", messages: [{ role: "user", content: "hi" }] };

describe("the Azure OpenAI dialect", () => {
  it("answers a deployment URL with an api-version and the api-key header", async () => {
    const sim = await start({ apiKey: "az-key" });
    const res = await post(sim, "/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21", body, { "api-key": "az-key" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { object: string }).object).toBe("chat.completion");
    const embed = await post(sim, "/openai/deployments/my-embed/embeddings?api-version=2024-10-21", { model: "e", input: "x" }, { "api-key": "az-key" });
    expect(embed.status).toBe(200);
  });

  it("refuses a wrong key (401), a Bearer key instead of api-key (401), and a missing api-version (404)", async () => {
    const sim = await start({ apiKey: "az-key" });
    expect((await post(sim, "/openai/deployments/d/chat/completions?api-version=1", body, { "api-key": "wrong" })).status).toBe(401);
    expect((await post(sim, "/openai/deployments/d/chat/completions?api-version=1", body, { authorization: "Bearer az-key" })).status).toBe(401);
    expect((await post(sim, "/openai/deployments/d/chat/completions", body, { "api-key": "az-key" })).status).toBe(404);
  });
});
