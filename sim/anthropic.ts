// The Anthropic dialect: x-api-key and anthropic-version headers, `{type:"error",error:{type,message}}` bodies, anthropic-ratelimit-* headers.
import type { IncomingMessage } from "node:http";
import type { AuthEnv, Caller, Dialect, StatusFault } from "./dialect.ts";
import { acceptKey } from "./dialect.ts";
import type { HeaderMap } from "./http.ts";
import { HttpError, sendJson } from "./http.ts";

/** Anthropic's error type for each status it uses. */
const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

/** Anthropic's error type for `status` (api_error for unlisted 5xx, invalid_request_error for unlisted 4xx). */
export function anthropicErrorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

/** Anthropic error body, also the data of an `event: error` in a stream. */
export function anthropicErrorBody(err: HttpError): { type: "error"; error: { type: string; message: string } } {
  return { type: "error", error: { type: anthropicErrorType(err.status), message: err.message } };
}

const FAULT_ERRORS: Record<StatusFault, () => HttpError> = {
  "500": () => new HttpError(500, "Internal server error (simulated fault)"),
  "503": () => new HttpError(529, "Overloaded (simulated fault)"),
  "429": () => new HttpError(429, "Number of requests has exceeded your rate limit. (simulated fault)"),
};

function authenticate(req: IncomingMessage, env: AuthEnv): HttpError | Caller {
  const header = req.headers["x-api-key"];
  const key = typeof header === "string" && header !== "" ? header : undefined;
  const caller = acceptKey(key, env);
  if (caller) return caller;
  return new HttpError(401, key === undefined ? "x-api-key header is required" : "invalid x-api-key");
}

function precheck(req: IncomingMessage): HttpError | undefined {
  const version = req.headers["anthropic-version"];
  return version === undefined || version === "" ? new HttpError(400, "anthropic-version: header is required") : undefined;
}

/** The Anthropic Messages API (/v1/messages, /v1/messages/count_tokens). */
export const anthropic: Dialect = {
  name: "anthropic",
  authenticate,
  precheck,
  headers: (seq, window, now, rpm) => {
    const headers: HeaderMap = { "request-id": `req_sim_${seq}` };
    if (rpm === Infinity) return headers;
    headers["anthropic-ratelimit-requests-limit"] = String(rpm);
    headers["anthropic-ratelimit-requests-remaining"] = String(Math.max(0, rpm - window.used(now)));
    headers["anthropic-ratelimit-requests-reset"] = new Date(now + window.resetInMs(now)).toISOString();
    return headers;
  },
  sendError: (res, err, headers = {}) => sendJson(res, err.status, anthropicErrorBody(err), headers),
  faultError: (fault) => FAULT_ERRORS[fault](),
};
