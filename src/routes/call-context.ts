/** Builds a call's context from the HTTP request: env, the principal, `waitUntil`, and the client's abort signal. */
import type { Context } from "hono";
import type { CallContext } from "../calls/call-context.ts";
import type { AppEnv } from "../env.ts";

export function callContext(c: Context<AppEnv>, endpoint: string): CallContext {
  return { env: c.env, caller: c.get("principal"), waitUntil: (work) => c.executionCtx.waitUntil(work), signal: c.req.raw.signal, endpoint, requestId: c.get("requestId") };
}
