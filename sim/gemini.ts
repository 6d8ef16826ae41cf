// The Gemini dialect: x-goog-api-key header or ?key=, `{error:{code,message,status}}` bodies with google.rpc details.
import type { IncomingMessage } from "node:http";
import type { AuthEnv, Caller, Dialect, StatusFault } from "./dialect.ts";
import { acceptKey } from "./dialect.ts";
import type { HeaderMap } from "./http.ts";
import { HttpError, sendJson } from "./http.ts";

/** google.rpc status names by HTTP status. */
const STATUSES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** Gemini error body; a 429 with a retry-after header also carries a RetryInfo detail. */
export function geminiErrorBody(err: HttpError, headers: HeaderMap = {}): object {
  const status = STATUSES[err.status] ?? (err.status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT");
  const details = [...(err.details ?? [])];
  const retryAfter = headers["retry-after"];
  if (err.status === 429 && retryAfter !== undefined) {
    details.push({ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${retryAfter}s` });
  }
  return { error: { code: err.status, message: err.message, status, ...(details.length > 0 ? { details } : {}) } };
}

const FAULT_ERRORS: Record<StatusFault, () => HttpError> = {
  "500": () =>
    new HttpError(500, "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting (simulated fault)"),
  "503": () => new HttpError(503, "The model is overloaded. Please try again later. (simulated fault)"),
  "429": () => new HttpError(429, "Resource has been exhausted (e.g. check quota). (simulated fault)"),
};

/** The key from `x-goog-api-key`, else from the `key` query parameter. */
function presentedKey(req: IncomingMessage): string | undefined {
  const header = req.headers["x-goog-api-key"];
  if (typeof header === "string" && header !== "") return header;
  const query = new URL(req.url ?? "/", "http://sim").searchParams.get("key");
  return query === null || query === "" ? undefined : query;
}

/**
 * A missing key gets 403 PERMISSION_DENIED ("unregistered callers"), a wrong one 400 INVALID_ARGUMENT with
 * reason API_KEY_INVALID, as the Gemini API answers.
 */
function authenticate(req: IncomingMessage, env: AuthEnv): HttpError | Caller {
  const key = presentedKey(req);
  const caller = acceptKey(key, env);
  if (caller) return caller;
  if (key === undefined) {
    return new HttpError(
      403,
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    );
  }
  const details = [
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: "API_KEY_INVALID",
      domain: "googleapis.com",
      metadata: { service: "generativelanguage.googleapis.com" },
    },
  ];
  return new HttpError(400, "API key not valid. Please pass a valid API key.", { details });
}

/** The Gemini API (/v1beta/models/{model}:generateContent and :streamGenerateContent). */
export const gemini: Dialect = {
  name: "gemini",
  authenticate,
  precheck: () => undefined,
  headers: () => ({}),
  sendError: (res, err, headers = {}) => sendJson(res, err.status, geminiErrorBody(err, headers), headers),
  faultError: (fault) => FAULT_ERRORS[fault](),
};
