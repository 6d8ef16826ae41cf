// The OpenAI dialect: Bearer API key or POST /auth token, `{error:{message,type,param,code}}` bodies, x-ratelimit-* headers.
import type { IncomingMessage } from "node:http";
import type { AuthEnv, Caller, Dialect, StatusFault } from "./dialect.ts";
import { acceptKey } from "./dialect.ts";
import { HttpError, sendHttpError } from "./http.ts";
import { TOKEN_PREFIX } from "./tokens.ts";

const FAULT_ERRORS: Record<StatusFault, () => HttpError> = {
  "500": () => new HttpError(500, "The server had an error while processing your request. (simulated fault)", { type: "server_error" }),
  "503": () => new HttpError(503, "The engine is currently overloaded, please try again later. (simulated fault)", { type: "server_error" }),
  "429": () => new HttpError(429, "Rate limit reached for requests. (simulated fault)", { type: "rate_limit_error", code: "rate_limit_exceeded" }),
};

/**
 * Checks `Authorization: Bearer X`: an issued token must be unexpired ("token expired"); otherwise X must be a
 * valid API key. A never-issued `tok_sim_…` value is an "invalid token" even when no API key is configured.
 */
function authenticate(req: IncomingMessage, env: AuthEnv): HttpError | Caller {
  const header = req.headers.authorization;
  const bearer = typeof header === "string" && header.startsWith("Bearer ") ? header.slice("Bearer ".length) : undefined;
  if (bearer !== undefined) {
    const state = env.tokens.check(bearer, env.now);
    if (state === "valid") return { kind: "token" };
    if (state === "expired") return new HttpError(401, "token expired", { code: "token_expired" });
    if (env.keys?.has(bearer)) return { kind: "key", key: bearer };
    if (bearer.startsWith(TOKEN_PREFIX)) return new HttpError(401, "invalid token", { code: "invalid_token" });
  }
  return acceptKey(bearer, env) ?? new HttpError(401, "Incorrect API key provided. (simulated)", { code: "invalid_api_key" });
}

/** OpenAI and OpenAI-compatible endpoints (/v1/chat/completions, /v1/embeddings, /v1/models). */
export const openai: Dialect = {
  name: "openai",
  authenticate,
  precheck: () => undefined,
  headers: (seq, window, now, rpm) => ({ "x-request-id": `req-sim-${seq}`, ...window.headers(now, rpm) }),
  sendError: (res, err, headers = {}) => sendHttpError(res, err, headers),
  faultError: (fault) => FAULT_ERRORS[fault](),
};
