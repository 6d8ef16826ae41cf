/** Calls an OpenAI-compatible upstream: one place for URL, auth header, timeout and failure mapping. */
import { GatewayError } from "../core/errors.ts";
import type { Provider } from "./registry.ts";
import { errorFromFailure, errorFromRedirect, errorFromUpstream } from "./upstream-error.ts";

export interface UpstreamCall {
  provider: Provider;
  path: "/chat/completions" | "/embeddings";
  body: unknown;
  /** Aborts the call (client gone, lease revoked). */
  signal?: AbortSignal | undefined;
  /** Time allowed until the response headers arrive. */
  timeoutMs: number;
}

export type UpstreamResult = { ok: true; response: Response } | { ok: false; error: GatewayError; status: number; retryAfterMs?: number | undefined };

/** Sends the request; a non-2xx answer or a failure comes back as a mapped gateway error. */
export async function callUpstream(call: UpstreamCall): Promise<UpstreamResult> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), call.timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, timeout.signal]) : timeout.signal;
  const headers = new Headers({ "content-type": "application/json", accept: "application/json, text/event-stream" });
  if (call.provider.apiKey) headers.set("authorization", `Bearer ${call.provider.apiKey}`);
  const url = `${call.provider.baseUrl}${call.path}`;
  try {
    // Never follow a redirect: it could point anywhere, and would carry the provider key along.
    const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(call.body), signal, redirect: "manual" });
    if (response.status >= 300 && response.status < 400) return { ok: false, error: errorFromRedirect(response, call.provider.name), status: 502 };
    if (response.ok) return { ok: true, response };
    const error = await errorFromUpstream(response, call.provider.name, call.provider.apiKey);
    return { ok: false, error, status: response.status, retryAfterMs: error.retryAfter === undefined ? undefined : error.retryAfter * 1000 };
  } catch (cause) {
    // Our own abort (the client left, or the lease was taken back) is not the upstream's failure.
    if (call.signal?.aborted) return { ok: false, error: new GatewayError("upstream_error", "the call was cancelled", { code: "cancelled" }), status: 499 };
    const error = errorFromFailure(cause, call.provider.name, new URL(url).host, timeout.signal.aborted);
    return { ok: false, error, status: error.status };
  } finally {
    clearTimeout(timer);
  }
}

/** Rate-limit hints an upstream sends (`x-ratelimit-remaining-*`), for the governor. */
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
