/**
 * The token exchange of a token-auth provider (seed 001's `request` type): POST `auth_url` with
 * JSON `{"username": …, "password": …}`; the answer is JSON with the token at `token_field`
 * (a dotted path, default "token") and, optionally, `expires_in` seconds. The token is then sent
 * upstream as `Authorization: Bearer <token>`.
 */
import { GatewayError } from "../../core/errors.ts";
import { fetchUpstream } from "../upstream-fetch.ts";

export interface ExchangeConfig {
  provider: string;
  authUrl: string;
  username: string;
  password: string;
  tokenField: string;
  /** How long a token is kept at most (token_cache_hours). */
  cacheMs: number;
  timeoutMs: number;
}

export interface IssuedToken {
  token: string;
  /** Epoch ms after which the token is not used. */
  expiresAt: number;
}

/** Renewing this long before a token's stated expiry keeps calls from racing it. */
const EXPIRY_MARGIN_MS = 30_000;

function at(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((v, key) => (v && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), value);
}

export async function exchangeToken(config: ExchangeConfig, now = Date.now()): Promise<IssuedToken> {
  const result = await fetchUpstream({ url: config.authUrl, headers: {}, body: { username: config.username, password: config.password } }, { provider: config.provider, secrets: [config.password], timeoutMs: config.timeoutMs });
  if (!result.ok) {
    // However the exchange fails, it is the gateway's configuration or the auth service, never the caller.
    if (result.status === 401 || result.status === 403) {
      throw new GatewayError("upstream_error", `provider '${config.provider}' refused the gateway's username and password at its auth_url`, { code: "upstream_auth_failed" });
    }
    if (result.status === 429 || result.status >= 500) {
      throw new GatewayError("upstream_unavailable", `provider '${config.provider}': its auth_url answered HTTP ${result.status}`, { code: "upstream_auth_unavailable", retryAfter: Math.max(1, (result.retryAfterMs ?? 1000) / 1000) });
    }
    if (result.status > 0) throw new GatewayError("upstream_error", `provider '${config.provider}': its auth_url answered HTTP ${result.status}`, { code: "upstream_auth_failed" });
    throw result.error;
  }
  const body: unknown = await result.response.json().catch(() => undefined);
  const token = at(body, config.tokenField);
  if (typeof token !== "string" || !token) {
    throw new GatewayError("upstream_error", `provider '${config.provider}' answered its token exchange without a token at '${config.tokenField}'`, { code: "upstream_malformed" });
  }
  // `expires_in` beside the token (data.expires_in for data.access_token), else at the top.
  const beside = config.tokenField.split(".").slice(0, -1).concat("expires_in").join(".");
  const expiresIn = at(body, beside) ?? at(body, "expires_in");
  const stated = typeof expiresIn === "number" && expiresIn > 0 ? expiresIn * 1000 - EXPIRY_MARGIN_MS : Infinity;
  return { token, expiresAt: now + Math.max(1_000, Math.min(config.cacheMs, stated)) };
}
