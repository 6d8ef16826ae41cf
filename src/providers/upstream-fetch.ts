/** Sends one request upstream: one place for the timeout, refusing redirects, and failure mapping, whatever the dialect. */
import { GatewayError } from "../core/errors.ts";
import { errorFromFailure, errorFromRedirect, errorFromUpstream } from "./upstream-error.ts";

export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export type UpstreamResult = { ok: true; response: Response } | { ok: false; error: GatewayError; status: number; retryAfterMs?: number | undefined };

export interface FetchOptions {
  /** The provider's name, for errors. */
  provider: string;
  /** Secrets upstream error text must never echo (the key, an exchanged token, a password). */
  secrets?: readonly (string | undefined)[];
  /** Aborts the call (the caller left, the lease was taken back). */
  signal?: AbortSignal | undefined;
  /** Time allowed until the response headers arrive. */
  timeoutMs: number;
}

/** Sends the request; a non-2xx answer or a failure comes back as a mapped gateway error. */
export async function fetchUpstream(request: UpstreamRequest, options: FetchOptions): Promise<UpstreamResult> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  const headers = { "content-type": "application/json", accept: "application/json, text/event-stream", ...request.headers };
  try {
    // Never follow a redirect: it could point anywhere, and would carry the provider key along.
    const response = await fetch(request.url, { method: "POST", headers, body: JSON.stringify(request.body), signal, redirect: "manual" });
    if (response.status >= 300 && response.status < 400) return { ok: false, error: errorFromRedirect(response, options.provider), status: 502 };
    if (response.ok) return { ok: true, response };
    const error = await errorFromUpstream(response, options.provider, options.secrets);
    return { ok: false, error, status: response.status, retryAfterMs: error.retryAfter === undefined ? undefined : error.retryAfter * 1000 };
  } catch (cause) {
    // Our own abort (the caller left, or the lease was taken back) is not the upstream's failure.
    if (options.signal?.aborted) return { ok: false, error: new GatewayError("upstream_error", "the call was cancelled", { code: "cancelled" }), status: 499 };
    const error = errorFromFailure(cause, options.provider, new URL(request.url).host, timeout.signal.aborted);
    return { ok: false, error, status: error.status };
  } finally {
    clearTimeout(timer);
  }
}

/** Rate-limit hints an upstream sends (`x-ratelimit-remaining-*`, `anthropic-ratelimit-*`), for the governor. */
export function rateLimitHints(headers: Headers): { remainingRequests?: number; remainingTokens?: number } {
  const num = (name: string) => {
    const v = headers.get(name);
    return v !== null && v !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined;
  };
  return {
    remainingRequests: num("x-ratelimit-remaining-requests") ?? num("anthropic-ratelimit-requests-remaining"),
    remainingTokens: num("x-ratelimit-remaining-tokens") ?? num("anthropic-ratelimit-tokens-remaining"),
  };
}
