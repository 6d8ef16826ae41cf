/**
 * Health, as seeds 001, 003 and 004 ask for it: `GET /v1/health` (the gateway and each model the
 * caller may use), `GET /api/providers/health` (admin: every deployment's state and why),
 * `POST /api/providers/{id}/health` (admin: probe the provider's deployments now) and
 * `POST /v1/models/{name}/test` (one real call, its latency and answer).
 */
import type { Context } from "hono";
import { z } from "zod";
import { gatewayContext, probeDeployment } from "../calls/health-check.ts";
import { probe } from "../calls/probe.ts";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import type { AppEnv } from "../env.ts";
import { deploymentHealth } from "../routing/deployment-health.ts";
import type { Health } from "../routing/health.ts";
import { planRoute } from "../routing/resolve.ts";
import { allModels, routeTable, type Deployment } from "../routing/route-table.ts";
import { callContext } from "./call-context.ts";

const RANK: Record<Health, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

async function deploymentView(c: Context<AppEnv>, d: Deployment) {
  const { status, health } = await deploymentHealth(c.env, d);
  return {
    id: d.id,
    model: d.model,
    provider: d.provider.name,
    key: d.keyName,
    health: health.state,
    reasons: health.reasons,
    breaker: status.breaker.phase,
    failure_ratio: status.breaker.failureRatio,
    in_flight: status.realtimeInFlight + status.taskInFlight,
    max_concurrency: status.maxConcurrency,
    latency_ms: status.latency.realtimeRecentMs,
    last_success_at: status.lastSuccessAt,
  };
}

/** `GET /v1/health`: ok when every model has a healthy deployment, degraded when one has none, down when none has one. */
export async function modelHealth(c: Context<AppEnv>) {
  const principal = c.get("principal");
  const table = await routeTable(c.env);
  const visible = (await allModels(c.env, principal.ownerId)).filter((m) => !principal.allowedModels || principal.allowedModels.includes(m.name));
  const models = await Promise.all(
    visible.map(async (m) => {
      const list = table.owned.get(principal.ownerId)?.get(m.name) ?? table.shared.get(m.name) ?? [];
      const states = await Promise.all(list.map(async (d) => (await deploymentHealth(c.env, d)).health.state));
      const best = states.reduce<Health>((a, b) => (RANK[b] < RANK[a] ? b : a), "unhealthy");
      return { model: m.name, status: best, deployments: { total: states.length, healthy: states.filter((s) => s === "healthy").length, degraded: states.filter((s) => s === "degraded").length, unhealthy: states.filter((s) => s === "unhealthy").length } };
    }),
  );
  const serving = models.filter((m) => m.status !== "unhealthy").length;
  const status = models.length === 0 || serving === models.length ? (models.every((m) => m.status === "healthy") ? "ok" : "degraded") : serving === 0 ? "down" : "degraded";
  return c.json({ status, models });
}

/** `GET /api/providers/health`. */
export async function providersHealth(c: Context<AppEnv>) {
  const table = await routeTable(c.env);
  const data = await Promise.all(
    table.providers
      .filter((p) => p.source !== "user")
      .map(async (p) => {
        const deployments = await Promise.all(p.deployments.map((d) => deploymentView(c, d)));
        const worst = deployments.reduce<Health>((a, d) => (RANK[d.health] > RANK[a] ? d.health : a), "healthy");
        return { provider: p.name, source: p.source, health: deployments.length ? worst : "unhealthy", deployments };
      }),
  );
  return c.json({ object: "list", data });
}

/** `POST /api/providers/{id}/health`: probes every deployment of the provider now (`config:name` for configured ones). */
export async function checkProviderNow(c: Context<AppEnv>) {
  const id = c.req.param("id")!;
  const table = await routeTable(c.env);
  const name = id.startsWith("config:") ? id.slice("config:".length) : id;
  const entry = table.providers.find((p) => p.source !== "user" && (p.providerId === id || p.name === name));
  if (!entry) throw new GatewayError("not_found", `no provider '${id}'`, { code: "provider_not_found" });
  const ctx = gatewayContext(c.env, (p) => c.executionCtx.waitUntil(p), "health_check");
  const results = await Promise.all(entry.deployments.map((d) => probeDeployment(ctx, d)));
  const deployments = await Promise.all(entry.deployments.map((d) => deploymentView(c, d)));
  return c.json({ provider: entry.name, checked_at: Date.now(), results, deployments });
}

export const testRequest = z.strictObject({
  test_message: z.string().min(1).max(10_000).default("Hello"),
});

/** `POST /v1/models/{name}/test`: one real call through the model's routing. */
export async function testModel(c: Context<AppEnv>) {
  // The body is optional: an empty one tests with "Hello".
  const empty = !(await c.req.raw.clone().text()).trim();
  const { test_message } = parseInput(testRequest, empty ? {} : await readJson(c.req.raw));
  const name = c.req.param("id")!;
  const route = await planRoute(c.env, c.get("principal"), { model: name });
  return c.json(await probe(callContext(c, "models.test"), route, test_message));
}
