import { describe, expect, it } from "vitest";
import type { ModelRoute } from "../providers/provider.ts";
import type { ProviderType } from "../providers/presets.ts";
import { messagesRequest } from "../wire/anthropic/schema.ts";
import { prepareChat } from "./chat.ts";

const route = (type: ProviderType): ModelRoute => ({
  model: "public",
  upstreamModel: "upstream",
  provider: { name: "p", type, baseUrl: "https://api.example.com/v1", credential: "k", options: {}, limits: { maxConcurrency: 1 }, source: "admin" },
});

const body = messagesRequest.parse({ model: "public", max_tokens: 100, messages: [{ role: "user", content: "hi" }], deadline: undefined });

describe("preparing a chat call", () => {
  it("passes an Anthropic caller's version and beta flags to an Anthropic provider, with the upstream model", () => {
    const prepared = prepareChat({ dialect: "anthropic", body, headers: { "anthropic-beta": "context-1m-2025-08-07", "anthropic-version": "2023-06-01" } }, route("anthropic"));
    expect(prepared).toMatchObject({ passthrough: true, headers: { "anthropic-beta": "context-1m-2025-08-07", "anthropic-version": "2023-06-01" }, body: { model: "upstream" } });
  });

  it("translates for a provider of another format, without Anthropic's headers", () => {
    const prepared = prepareChat({ dialect: "anthropic", body, headers: { "anthropic-beta": "x" } }, route("deepseek"));
    expect(prepared.passthrough).toBe(false);
    expect(prepared.headers).toBeUndefined();
    expect(prepared.body).toMatchObject({ model: "upstream", max_tokens: 100, messages: [{ role: "user", content: "hi" }] });
  });
});
