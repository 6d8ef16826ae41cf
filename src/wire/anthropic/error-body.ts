/** The gateway's errors in the Anthropic shape: `{type: "error", error: {type, message}}`, same status. */
import { encodeSse } from "../../core/sse.ts";
import { GatewayError, type ErrorKind } from "../../core/errors.ts";

export const ERROR_TYPES: Record<ErrorKind, string> = {
  invalid_request: "invalid_request_error",
  unauthorized: "authentication_error",
  forbidden: "permission_error",
  not_found: "not_found_error",
  method_not_allowed: "invalid_request_error",
  conflict: "invalid_request_error",
  payload_too_large: "request_too_large",
  unprocessable: "invalid_request_error",
  rate_limited: "rate_limit_error",
  insufficient_quota: "rate_limit_error",
  internal: "api_error",
  upstream_error: "api_error",
  upstream_unavailable: "overloaded_error",
  upstream_timeout: "timeout_error",
};

export function anthropicErrorBody(error: GatewayError) {
  return { type: "error" as const, error: { type: ERROR_TYPES[error.kind], message: error.message } };
}

/** A failure inside a stream, as Anthropic's `error` event. */
export function anthropicErrorEvent(error: GatewayError): string {
  return encodeSse(JSON.stringify(anthropicErrorBody(error)), "error");
}
