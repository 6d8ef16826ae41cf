/** Builds the gateway's Hono app: middleware order, route groups, and the one error handler. */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { Context } from "hono";
import { ConfigError, GatewayError } from "./core/errors.ts";
import { anthropicErrorBody } from "./wire/anthropic/error-body.ts";
import { requestIdOf } from "./core/request-id.ts";
import { routedPath } from "./routes/aliases.ts";
import { anthropicRoutes } from "./routes/anthropic.ts";
import { apiDocRoutes } from "./routes/api-docs.ts";
import { authenticate, requireAdmin } from "./middleware/auth.ts";
import { settings, type AppEnv } from "./env.ts";
import { authRoutes } from "./routes/auth.ts";
import { configRoutes } from "./routes/config.ts";
import { keyBatchRoutes } from "./routes/key-batch.ts";
import { keyRoutes } from "./routes/keys.ts";
import { logRoutes } from "./routes/logs.ts";
import { notFoundFor } from "./routes/not-found.ts";
import { configuredProviders } from "./routing/configured.ts";
import { openaiRoutes } from "./routes/openai.ts";
import { legacyRequestRoutes } from "./routes/legacy-request.ts";
import { backendRoutes, requireInternalKey } from "./routes/backends.ts";
import { modelConfigRoutes } from "./routes/model-configs.ts";
import { providerRoutes } from "./routes/providers.ts";
import { routerRoutes } from "./routes/router.ts";
import { routingRoutes } from "./routes/routing.ts";
import { statusRoutes } from "./routes/status.ts";
import { enforceLimits } from "./middleware/limits.ts";
import { metricsReader, metricsRoutes } from "./routes/metrics.ts";
import { priceRoutes } from "./routes/prices.ts";
import { costRoutes, statsRoutes } from "./routes/usage.ts";
import { taskRoutes } from "./routes/tasks.ts";
import { userRoutes } from "./routes/users.ts";

/** An error in the caller's dialect: Anthropic's shape on the Anthropic surface, OpenAI's everywhere else. */
function render(error: GatewayError, c: Context<AppEnv>): Response {
  const requestId = c.get("requestId");
  const anthropic = new URL(c.req.url).pathname.startsWith("/v1/messages");
  const { status, headers } = error.toResponse();
  // The x-request-id header is set on every response by the first middleware.
  const body = { ...(anthropic ? anthropicErrorBody(error) : error.toBody()), request_id: requestId };
  return new Response(JSON.stringify(body), { status, headers });
}

export function buildApp() {
  // Paths are matched with or without a trailing slash; seed 003's aliases route as the paths they stand for.
  const app = new Hono<AppEnv>({ getPath: routedPath });

  // Every response carries the request's id (the caller's x-request-id when sane, else a new one).
  app.use("*", async (c, next) => {
    const requestId = requestIdOf(c.req.header("x-request-id"));
    c.set("requestId", requestId);
    await next();
    c.res.headers.set("x-request-id", requestId);
  });

  app.use("*", async (c, next) => {
    const limit = bodyLimit({
      maxSize: settings(c.env).MAX_BODY_BYTES,
      onError: () => {
        throw new GatewayError("payload_too_large", `request body is larger than ${settings(c.env).MAX_BODY_BYTES} bytes`, { code: "body_too_large" });
      },
    });
    return limit(c, next);
  });

  // Healthy means configured: a missing secret or a refused provider shows here (detail in the log).
  app.get("/health", (c) => {
    settings(c.env);
    configuredProviders(c.env);
    return c.json({ status: "ok" });
  });
  // Public: /openapi.json, /docs (Swagger UI), /redoc.
  app.route("/", apiDocRoutes);
  app.route("/api/auth", authRoutes);

  app.use("/api/keys/*", authenticate);
  app.route("/api/keys/batch", keyBatchRoutes);
  app.route("/api/keys", keyRoutes);
  app.use("/api/logs/*", authenticate);
  app.route("/api/logs", logRoutes);
  app.use("/api/providers/*", authenticate, requireAdmin);
  app.route("/api/providers", providerRoutes);
  app.use("/api/users/*", authenticate, requireAdmin);
  app.route("/api/users", userRoutes);
  app.use("/api/status/*", authenticate, requireAdmin);
  app.route("/api/status", statusRoutes);
  app.use("/api/prices/*", authenticate);
  app.route("/api/prices", priceRoutes);
  app.use("/api/v1/cost/*", authenticate);
  app.route("/api/v1/cost", costRoutes);
  app.use("/api/stats/*", authenticate);
  app.route("/api/stats", statsRoutes);
  app.use("/metrics", metricsReader);
  app.route("/metrics", metricsRoutes);
  app.use("/api/request/*", authenticate, enforceLimits);
  app.route("/api/request", legacyRequestRoutes);
  app.use("/api/model/*", authenticate);
  app.route("/api/model", modelConfigRoutes);
  app.use("/api/config/*", authenticate, requireAdmin);
  app.route("/api/config", configRoutes);
  app.use("/api/routing/*", authenticate, requireAdmin);
  app.route("/api/routing", routingRoutes);
  app.use("/api/v1/router/*", authenticate, requireAdmin);
  app.route("/api/v1/router", routerRoutes);
  app.use("/internal/workers/*", requireInternalKey);
  app.route("/internal/workers", backendRoutes);
  app.use("/v1/*", authenticate, enforceLimits);
  app.route("/v1/tasks", taskRoutes);
  app.route("/v1/messages", anthropicRoutes);
  app.route("/v1", openaiRoutes);

  app.notFound(notFoundFor(app.routes, render));

  app.onError((error, c) => {
    if (error instanceof GatewayError) return render(error, c);
    if (error instanceof ConfigError) {
      console.error(error.message);
      const misconfigured = new GatewayError("internal", "the gateway is misconfigured; its operator must fix it (the server log says what is wrong)", { code: "gateway_misconfigured" });
      const response = render(misconfigured, c);
      // Healthy means configured: /health says so with a 503.
      return new URL(c.req.url).pathname === "/health" ? new Response(response.body, { status: 503, headers: response.headers }) : response;
    }
    if (error instanceof HTTPException) {
      const status = error.status;
      const kind = status === 400 ? "invalid_request" : status === 401 ? "unauthorized" : status === 403 ? "forbidden" : status === 404 ? "not_found" : status === 413 ? "payload_too_large" : "internal";
      return render(new GatewayError(kind, error.message || "request failed"), c);
    }
    // Log the detail for operators; the client gets no stack trace.
    console.error("unhandled error", error);
    return render(new GatewayError("internal", "the gateway failed to handle this request"), c);
  });

  return app;
}
