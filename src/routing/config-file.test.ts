import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.ts";
import { parseGatewayConfig } from "./config-file.ts";

const errorOf = (text: string) => {
  try {
    parseGatewayConfig(text);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error("expected a ConfigError");
};

describe("gateway.yaml", () => {
  it("reads providers of every kind in a few lines each", () => {
    const config = parseGatewayConfig(`
providers:
  - name: openai
    type: openai
    api_key: \${OPENAI_API_KEY}
    limits: { max_concurrency: 50, rpm: 500 }
    models: [gpt-4o-mini]
  - name: claude
    type: anthropic
    api_key: \${ANTHROPIC_API_KEY}
    limits: { max_concurrency: 20 }
    models:
      - { name: claude, upstream_model: claude-sonnet-4-5, max_tokens: 8192 }
  - name: azure-eu
    type: azure
    base_url: https://my-resource.openai.azure.com
    api_key: \${AZURE_KEY}
    api_version: "2024-10-21"
    limits: { max_concurrency: 10 }
    models: [gpt-4o]
  - name: internal
    type: token-auth
    base_url: https://llm.internal.example.com/v1
    auth_url: https://llm.internal.example.com/auth
    username: gateway
    password: \${INTERNAL_PASSWORD}
    token_field: data.access_token
    limits: { max_concurrency: 4 }
    models: [custom-model]
auth:
  api_keys: ["\${TEAM_KEY}"]
`);
    expect(config.providers.map((p) => [p.name, p.type])).toEqual([["openai", "openai"], ["claude", "anthropic"], ["azure-eu", "azure"], ["internal", "token-auth"]]);
    expect(config.providers[1]!.models).toEqual([{ name: "claude", upstream_model: "claude-sonnet-4-5", max_tokens: 8192 }]);
    expect(config.apiKeys).toEqual(["${TEAM_KEY}"]);
  });

  it("names the path and the line of a bad value or an unknown field", () => {
    expect(errorOf("providers:\n  - name: a\n    type: openai\n    limits:\n      max_concurrency: 0\n    models: [m]\n")).toMatch(/^gateway misconfigured: gateway\.yaml:5 providers\.0\.limits\.max_concurrency: /);
    expect(errorOf("providers:\n  - name: a\n    type: openai\n    limits: {max_concurrency: 1}\n    models: [m]\n    weight: 3\n")).toMatch(/gateway\.yaml:\d+ providers\.0\.weight: unknown field 'weight'/);
    expect(errorOf("providers:\n  - name: a\n    type: azure\n    base_url: https://x.example.com\n    limits: {max_concurrency: 1}\n    models: [m]\n")).toMatch(/providers\.0\.api_version: api_version is required/);
    expect(errorOf("providers:\n  - name: a\n    type: openai\n    api_version: v1\n    limits: {max_concurrency: 1}\n    models: [m]\n")).toMatch(/providers\.0\.api_version: api_version applies to providers of type azure/);
    expect(errorOf("providers: [\n")).toMatch(/^gateway misconfigured: gateway\.yaml:\d+ /);
  });

  it("accepts seed 001's models.yaml shape: one provider per model, request type as token-auth", () => {
    const config = parseGatewayConfig(`
models:
  openai:
    - name: "gpt-3.5-turbo"
      type: "openai"
      base_url: "https://api.openai.com/v1"
      api_key: "\${OPENAI_API_KEY}"
      max_tokens: 4096
      enabled: true
    - name: "old-model"
      type: "openai"
      enabled: false
  request:
    - name: "custom-model"
      type: "request"
      base_url: "https://your-api.example.com"
      auth_url: "https://your-api.example.com/auth"
      username: "your-username"
      password: "\${CUSTOM_PASSWORD}"
      model_name: "custom-model-name"
      max_tokens: 4096
      token_cache_hours: 8
auth:
  api_keys:
    - "\${TEAM_KEY_1}"
`);
    expect(config.providers).toHaveLength(2);
    expect(config.providers[0]).toMatchObject({ name: "gpt-3-5-turbo", type: "openai-compatible", models: [{ name: "gpt-3.5-turbo", upstream_model: "gpt-3.5-turbo", max_tokens: 4096 }], limits: { max_concurrency: 10 } });
    expect(config.providers[1]).toMatchObject({ name: "custom-model", type: "token-auth", auth_url: "https://your-api.example.com/auth", username: "your-username", token_cache_hours: 8, models: [{ name: "custom-model", upstream_model: "custom-model-name" }] });
    expect(config.apiKeys).toEqual(["${TEAM_KEY_1}"]);
  });

  it("refuses a credential written in the file, in either shape: it would sit in git and in the bundle", () => {
    const own = "providers:\n  - name: a\n    type: deepseek\n    api_key: sk-live-123\n    limits: { max_concurrency: 1 }\n    models: [m]\n";
    expect(errorOf(own)).toMatch(/gateway\.yaml:4 providers\.0\.api_key: write a secret reference such as \$\{MY_KEY\}/);
    expect(errorOf("models:\n  a:\n    - name: m\n      type: request\n      base_url: https://x.example.com\n      token: abc\n")).toMatch(/models\.a\.0\.token: write a secret reference/);
    expect(errorOf("providers: []\nauth:\n  api_keys: [plain-key]\n")).toMatch(/gateway\.yaml:3 auth\.api_keys\.0: write a secret reference/);
  });

  it("refuses what seed 001's shape has and this gateway cannot use, by name", () => {
    expect(errorOf('models:\n  a:\n    - name: m\n      type: openai\nserver:\n  port: 8000\n')).toMatch(/server: the server block is not used/);
    expect(errorOf("models:\n  a:\n    - name: m\n      type: request\n      token: t\n      api_key: k\n")).toMatch(/models\.a\.0\.api_key: api_key does not apply to type 'request'/);
    expect(errorOf("models:\n  a:\n    - name: m\n      type: request\n      base_url: https://x.example.com\n")).toMatch(/gateway\.yaml:\d+ models\.a\.0\.auth_url: a token-auth provider needs token, or auth_url/);
  });
});
