/** Holds calls (POST requests) to the caller's key and user limits: rates and spend budgets (see limits/). */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { admitCall, subjectsOf } from "../limits/spend-limits.ts";

export const enforceLimits = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "POST") {
    const p = c.get("principal");
    await admitCall(c.env, subjectsOf(p.limits, p.keyId, p.userId));
  }
  await next();
});
