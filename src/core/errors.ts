/** The gateway's one error type and its mapping to the OpenAI error object and HTTP status. */

/** Every error the gateway answers with, and the OpenAI `type` and status each maps to. */
export const errorKinds = {
  invalid_request: { status: 400, type: "invalid_request_error" },
  unauthorized: { status: 401, type: "authentication_error" },
  forbidden: { status: 403, type: "permission_error" },
  not_found: { status: 404, type: "not_found_error" },
  method_not_allowed: { status: 405, type: "invalid_request_error" },
  conflict: { status: 409, type: "invalid_request_error" },
  payload_too_large: { status: 413, type: "invalid_request_error" },
  unprocessable: { status: 422, type: "invalid_request_error" },
  rate_limited: { status: 429, type: "rate_limit_error" },
  /** A spend budget is used up: retrying will not help until it resets or is raised. */
  insufficient_quota: { status: 429, type: "insufficient_quota" },
  internal: { status: 500, type: "server_error" },
  upstream_error: { status: 502, type: "upstream_error" },
  upstream_unavailable: { status: 503, type: "upstream_error" },
  upstream_timeout: { status: 504, type: "upstream_error" },
} as const satisfies Record<string, { status: number; type: string }>;

export type ErrorKind = keyof typeof errorKinds;

/** The OpenAI wire shape of an error. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** A failure the client should see, thrown anywhere and rendered once by the app's error handler. */
export class GatewayError extends Error {
  readonly kind: ErrorKind;
  readonly param: string | null;
  readonly code: string | null;
  /** Seconds the client should wait before retrying (sent as `Retry-After`). */
  readonly retryAfter: number | undefined;
  /** Extra response headers (`Allow` on a 405). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    kind: ErrorKind,
    message: string,
    options: { param?: string | null; code?: string | null; retryAfter?: number; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "GatewayError";
    this.kind = kind;
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.retryAfter = options.retryAfter;
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return errorKinds[this.kind].status;
  }

  toBody(): OpenAIErrorBody {
    return {
      error: { message: this.message, type: errorKinds[this.kind].type, param: this.param, code: this.code ?? this.kind },
    };
  }

  /** The error as a JSON response with the right status and `Retry-After` when known. */
  toResponse(): Response {
    const headers = new Headers({ ...this.headers, "content-type": "application/json" });
    if (this.retryAfter !== undefined) headers.set("retry-after", String(Math.max(1, Math.ceil(this.retryAfter))));
    return new Response(JSON.stringify(this.toBody()), { status: this.status, headers });
  }
}

/**
 * The gateway's own configuration is wrong (a missing secret, a malformed or refused provider):
 * the operator must fix it. Callers get a 500 without the detail; the log has it.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(detail: string) {
    super(`gateway misconfigured: ${detail}`);
  }
}
