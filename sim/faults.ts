// Fault injection for a single request: error statuses, hang, connection reset, redirect, HTML page, malformed and cut bodies.
import type { LlmContext } from "./context.ts";
import type { Fault } from "./directives.ts";
import type { StreamFault } from "./framestream.ts";
import type { HeaderMap } from "./http.ts";

/** Faults a stream writer applies itself when the request is streamed. */
export function isStreamFault(fault: Fault): fault is StreamFault {
  return fault === "malformed" || fault === "cut" || fault === "midstream";
}

/** Faults that send (part of) the answer's body and so take as long as the answer. */
export function isBodyFault(fault: Fault): boolean {
  return fault === "malformed" || fault === "cut";
}

/**
 * Applies `fault` after `delayMs` (hang: never answers). Error statuses (and `midstream`, which acts as 503
 * unstreamed) use the context's dialect. `fullBody` is the JSON the request would have returned; malformed
 * sends its first half as a complete 200 body, cut announces its full length, sends half and drops the
 * connection. Streaming malformed/cut/midstream are handled by the stream writers.
 */
export function injectFault(ctx: LlmContext, fault: Fault, delayMs: number, fullBody: () => string): void {
  const { res, scope } = ctx;
  if (fault === "hang") return; // stays in flight until the client goes away
  scope.after(delayMs, () => {
    if (fault === "reset") return scope.destroy();
    if (fault === "redirect") {
      // Same origin: a client that follows it would send its credentials along.
      const location = ctx.dialect.name === "openai" ? "/v1/chat/completions" : (ctx.req.url ?? "/");
      res.writeHead(307, { ...ctx.headers, location, "content-length": 0 });
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
    if (fault === "500" || fault === "503" || fault === "429" || fault === "midstream") {
      const extra: HeaderMap = fault === "429" ? { "retry-after": String(ctx.options.retryAfterSeconds) } : {};
      return ctx.dialect.sendError(res, ctx.dialect.faultError(fault === "midstream" ? "503" : fault), { ...ctx.headers, ...extra });
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
