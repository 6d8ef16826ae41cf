/**
 * `GET /metrics`: Prometheus text, aggregated across isolates (see metrics/gateway-metrics.ts).
 * Readable with METRICS_TOKEN as a Bearer token (for a scraper), or any admin credential.
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "../core/crypto.ts";
import { settings, type AppEnv } from "../env.ts";
import { exposition } from "../metrics/exposition.ts";
import { gatewayMetrics } from "../metrics/gateway-metrics.ts";
import { authenticate, requireAdmin } from "../middleware/auth.ts";

/** The scraper's token, else the usual admin check. */
export const metricsReader = createMiddleware<AppEnv>(async (c, next) => {
  const token = settings(c.env).METRICS_TOKEN;
  const presented = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization")?.trim() ?? "")?.[1]?.trim();
  if (token && presented && timingSafeEqual(presented, token)) return next();
  return authenticate(c, async () => void (await requireAdmin(c, next)));
});

export const metricsRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const body = exposition(await gatewayMetrics(c.env));
  return c.body(body, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" });
});
