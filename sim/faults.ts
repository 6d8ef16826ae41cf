// Fault injection for a single request: error statuses, hang, connection reset, malformed and cut bodies.
import type { LlmContext } from "./context.ts";
import type { Fault } from "./directives.ts";
import type { HeaderMap } from "./http.ts";
import { errorBody, sendJson } from "./http.ts";

/** Faults that do not depend on the response being streamed. */
const ERROR_FAULTS: Record<"500" | "503" | "429", { status: number; message: string; type: string; code: string | null }> = {
  "500": { status: 500, message: "The server had an error while processing your request. (simulated fault)", type: "server_error", code: null },
  "503": { status: 503, message: "The engine is currently overloaded, please try again later. (simulated fault)", type: "server_error", code: null },
  "429": { status: 429, message: "Rate limit reached for requests. (simulated fault)", type: "rate_limit_error", code: "rate_limit_exceeded" },
};

/**
 * Applies `fault` after `delayMs` (hang: never answers). `fullBody` is the JSON the request would have
 * returned; malformed sends its first half as a complete 200 body, cut announces its full length,
 * sends half and drops the connection. Streaming malformed/cut are handled by the stream writer.
 */
export function injectFault(ctx: LlmContext, fault: Fault, delayMs: number, fullBody: () => string): void {
  const { res, scope } = ctx;
  if (fault === "hang") return; // stays in flight until the client goes away
  scope.after(delayMs, () => {
    if (fault === "reset") return scope.destroy();
    if (fault === "redirect") {
      // Same origin: a client that follows it would send its Authorization header along.
      res.writeHead(307, { ...ctx.headers, location: "/v1/chat/completions", "content-length": 0 });
      res.end();
      return;
    }
    if (fault === "html") {
      // An internal page rather than the provider's JSON error: its text must not reach callers.
      const page = "<html><body><h1>Internal admin console</h1><p>db password hunter2; token=internal-secret-token</p></body></html>";
      res.writeHead(500, { ...ctx.headers, "content-type": "text/html", "content-length": Buffer.byteLength(page) });
      res.end(page);
      return;
    }
    if (fault === "500" || fault === "503" || fault === "429") {
      const f = ERROR_FAULTS[fault];
      const extra: HeaderMap = fault === "429" ? { "retry-after": String(ctx.options.retryAfterSeconds) } : {};
      return sendJson(res, f.status, errorBody(f.message, f.type, f.code), { ...ctx.headers, ...extra });
    }
    const body = fullBody();
    const half = body.slice(0, Math.floor(body.length / 2));
    if (fault === "malformed") {
      res.writeHead(200, { ...ctx.headers, "content-type": "application/json", "content-length": Buffer.byteLength(half) });
      res.end(half);
      return;
    }
    // cut
    res.writeHead(200, { ...ctx.headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.write(half, () => scope.destroy());
  });
}
