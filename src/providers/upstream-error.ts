/** Maps what an upstream answered (or failed to) onto the gateway's errors, with secrets scrubbed. */
import { GatewayError } from "../core/errors.ts";

/** Longest excerpt of upstream text passed on to a caller. */
const EXCERPT_CHARS = 200;

/** Removes anything that looks like a credential from text that came from upstream, and cuts it short. */
export function scrub(text: string, secrets: string | readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of typeof secrets === "string" ? [secrets] : secrets) if (secret) out = out.split(secret).join("[redacted]");
  out = out.replace(/\b(sk|pk|key|rk)-[A-Za-z0-9_*.-]{6,}/gi, "[redacted]");
  // A JWT (an exchanged token, often) anywhere in the text.
  out = out.replace(/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, "[redacted]");
  out = out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, "$1 [redacted]");
  out = out.replace(/[\u0000-\u001f]+/g, " ").trim();
  return out.length > EXCERPT_CHARS ? `${out.slice(0, EXCERPT_CHARS)}…` : out;
}

/** Seconds from a `Retry-After` header (delta seconds or an HTTP date). */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

/**
 * The provider's own error message, only from a body that looks like a provider's JSON error
 * (`{error: {message}}`, `{error: "…"}` or `{message}`). Anything else (an HTML page, a proxy's
 * text, an internal service answering) is reduced to its status, so its text never reaches a caller.
 */
async function upstreamMessage(response: Response): Promise<string> {
  const fallback = `HTTP ${response.status}`;
  if (!/\bjson\b/i.test(response.headers.get("content-type") ?? "")) {
    await response.body?.cancel().catch(() => {});
    return fallback;
  }
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof body.error === "string" ? body.error : (body.error?.message ?? body.message);
    if (typeof message === "string" && message.trim()) return message;
  } catch {
    // not JSON after all
  }
  return fallback;
}

/** The client-facing error for a non-2xx upstream response. */
export async function errorFromUpstream(response: Response, provider: string, secrets: readonly (string | undefined)[] | string = []): Promise<GatewayError> {
  const message = scrub(await upstreamMessage(response), secrets);
  const status = response.status;
  const retryAfter = retryAfterSeconds(response.headers);
  if (status === 429) {
    return new GatewayError("rate_limited", `provider '${provider}' is rate limiting: ${message}`, { code: "upstream_rate_limited", retryAfter: retryAfter ?? 1 });
  }
  // Gemini answers a bad key with 400 API_KEY_INVALID: the gateway's credential, not the caller's request.
  if (status === 401 || status === 403 || (status === 400 && /api key not valid|API_KEY_INVALID/i.test(message))) {
    return new GatewayError("upstream_error", `provider '${provider}' rejected the gateway's credentials`, { code: "upstream_auth_failed" });
  }
  if (status === 408 || status === 504) return new GatewayError("upstream_timeout", `provider '${provider}' timed out: ${message}`, { code: "upstream_timeout", retryAfter: retryAfter ?? 1 });
  // 529 is Anthropic's "overloaded": the same capacity signal as a 503.
  if (status === 503 || status === 529) return new GatewayError("upstream_unavailable", `provider '${provider}' is unavailable: ${message}`, { code: "upstream_unavailable", retryAfter: retryAfter ?? 1 });
  if (status >= 500) return new GatewayError("upstream_error", `provider '${provider}' failed: ${message}`, { code: "upstream_error" });
  if (status === 413) return new GatewayError("payload_too_large", message, { code: "upstream_payload_too_large" });
  // The gateway's configuration names a model or path the upstream does not have: not the caller's mistake.
  if (status === 404) return new GatewayError("upstream_error", `provider '${provider}' does not know the model or path the gateway is configured with: ${message}`, { code: "upstream_not_found" });
  // Other 4xx: the upstream judged the request itself (a bad parameter), a client mistake.
  return new GatewayError("invalid_request", `provider '${provider}' rejected the request: ${message}`, { code: "upstream_bad_request" });
}

/** The client-facing error for an upstream answering with a redirect (never followed: it could lead anywhere). */
export function errorFromRedirect(response: Response, provider: string): GatewayError {
  void response.body?.cancel().catch(() => {});
  return new GatewayError("upstream_error", `provider '${provider}' answered with a redirect (HTTP ${response.status}); the gateway does not follow upstream redirects, so check its base_url`, { code: "upstream_redirect" });
}

/**
 * The client-facing error for a call that never produced a response. The runtime reports a DNS
 * failure as an opaque "internal error; reference = …": say what it means, and name the host.
 */
export function errorFromFailure(error: unknown, provider: string, host: string, timedOut: boolean): GatewayError {
  if (timedOut) return new GatewayError("upstream_timeout", `provider '${provider}' did not answer in time`, { code: "upstream_timeout", retryAfter: 1 });
  const reason = error instanceof Error ? error.message : String(error);
  const what = /internal error; reference/i.test(reason)
    ? "the host name did not resolve or the connection could not be made"
    : /connection lost|connect|refused|reset/i.test(reason)
      ? "the connection failed"
      : scrub(reason);
  return new GatewayError("upstream_error", `could not reach provider '${provider}' at ${host}: ${what}`, { code: "upstream_unreachable" });
}
