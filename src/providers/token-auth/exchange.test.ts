import { afterEach, describe, expect, it, vi } from "vitest";
import { GatewayError } from "../../core/errors.ts";
import { exchangeToken, type ExchangeConfig } from "./exchange.ts";

const config: ExchangeConfig = { provider: "inhouse", authUrl: "https://auth.example.com/token", username: "u", password: "p", tokenField: "data.access_token", cacheMs: 8 * 3600_000, timeoutMs: 1000 };

function answer(status: number, body: unknown) {
  vi.stubGlobal("fetch", async () => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } }));
}

afterEach(() => vi.unstubAllGlobals());

async function failure(): Promise<GatewayError> {
  const e = await exchangeToken(config).catch((error: unknown) => error);
  if (!(e instanceof GatewayError)) throw new Error("expected a GatewayError");
  return e;
}

describe("the token exchange", () => {
  it("reads the token at token_field and expires_in beside it, renewing 30 s early", async () => {
    answer(200, { data: { access_token: "tok", expires_in: 3600 } });
    expect(await exchangeToken(config, 1_000)).toEqual({ token: "tok", expiresAt: 1_000 + 3600_000 - 30_000 });
  });

  it("blames the gateway's configuration or the auth service for any refusal, never the caller", async () => {
    for (const [status, kind, code] of [
      [401, "upstream_error", "upstream_auth_failed"],
      [400, "upstream_error", "upstream_auth_failed"],
      [404, "upstream_error", "upstream_auth_failed"],
      [503, "upstream_unavailable", "upstream_auth_unavailable"],
    ] as const) {
      answer(status, { error: { message: "no" } });
      expect(await failure(), `HTTP ${status}`).toMatchObject({ kind, code });
    }
  });

  it("says where it looked when the answer holds no token", async () => {
    answer(200, { token: "at the top, not where configured" });
    expect((await failure()).message).toMatch(/without a token at 'data\.access_token'/);
  });
});
