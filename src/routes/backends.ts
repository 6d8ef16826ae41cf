/**
 * Seed 002's backend registration: self-hosted backends (vLLM, Ollama boxes) register themselves
 * and send heartbeats, and become deployments of their model with their declared capacity. A
 * backend silent for HEARTBEAT_TIMEOUT_MS is unhealthy (skipped by routing); after three times
 * that the health check removes it. Every call needs `Authorization: Bearer <INTERNAL_API_KEY>`;
 * with the key unset the endpoints are closed (403).
 */
import { eq } from "drizzle-orm";
import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { addressSubject, clientAddress, countFailure, refuseIfKnownBlocked } from "../auth/failed-credentials.ts";
import { timingSafeEqual } from "../core/crypto.ts";
import { GatewayError } from "../core/errors.ts";
import { upstreamUrlProblem } from "../core/upstream-url.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database } from "../db/client.ts";
import { backends } from "../db/schema.ts";
import { settings, type AppEnv } from "../env.ts";
import { forgetRoutes } from "../routing/route-table.ts";

/** Bearer INTERNAL_API_KEY, compared in constant time; closed when the key is not set. */
export const requireInternalKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = typeof c.env.INTERNAL_API_KEY === "string" ? c.env.INTERNAL_API_KEY : "";
  if (!key) throw new GatewayError("forbidden", "backend registration is closed: set INTERNAL_API_KEY to open it", { code: "internal_api_disabled" });
  const given = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim() ?? "";
  if (!given) throw new GatewayError("unauthorized", "INTERNAL_API_KEY is required as a Bearer token", { code: "missing_api_key" });
  // An operator's chosen key can be guessed: wrong ones count like any failed credential.
  const client = addressSubject(c.env, clientAddress(c.req.raw));
  refuseIfKnownBlocked(client);
  if (!timingSafeEqual(given, key)) throw await countFailure(c.env, [client], new GatewayError("unauthorized", "invalid INTERNAL_API_KEY", { code: "invalid_internal_key" }));
  await next();
};

const ID = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "letters, digits, '.', '_' or '-' (at most 64)");

export const registration = z.strictObject({
  worker_id: ID,
  model_id: z.string().min(1).max(200),
  /** The URL under which the backend's OpenAI-compatible `/chat/completions` lives (e.g. http://10.0.0.5:11434/v1). */
  backend_url: z.url({ protocol: /^https?$/ }),
  capacity: z.number().int().min(1).max(10_000),
});

export const heartbeat = z.strictObject({
  worker_id: ID,
  current_load: z.number().int().min(0).max(1_000_000),
});

export const listQuery = z.strictObject({ model_id: z.string().min(1).optional() });

export const backendRoutes = new Hono<AppEnv>()
  .post("/register", async (c) => {
    const input = parseInput(registration, await readJson(c.req.raw));
    const refused = upstreamUrlProblem(input.backend_url, settings(c.env).ALLOW_PRIVATE_UPSTREAMS);
    if (refused) throw new GatewayError("invalid_request", `backend_url ${refused}`, { param: "backend_url", code: "invalid_value" });
    const now = Date.now();
    const row = { workerId: input.worker_id, modelId: input.model_id, backendUrl: input.backend_url.replace(/\/+$/, ""), capacity: input.capacity, currentLoad: 0, registeredAt: now, heartbeatAt: now };
    await database(c.env.DB)
      .insert(backends)
      .values(row)
      .onConflictDoUpdate({ target: backends.workerId, set: { modelId: row.modelId, backendUrl: row.backendUrl, capacity: row.capacity, currentLoad: 0, heartbeatAt: now } });
    forgetRoutes(c.env);
    return c.json({ worker_id: row.workerId, model_id: row.modelId, status: "registered", heartbeat_timeout_s: settings(c.env).HEARTBEAT_TIMEOUT_MS / 1000 }, 201);
  })
  .post("/heartbeat", async (c) => {
    const input = parseInput(heartbeat, await readJson(c.req.raw));
    const now = Date.now();
    const updated = await database(c.env.DB).update(backends).set({ heartbeatAt: now, currentLoad: input.current_load }).where(eq(backends.workerId, input.worker_id)).returning({ id: backends.workerId });
    if (updated.length === 0) throw new GatewayError("not_found", `no backend '${input.worker_id}' is registered (it may have been removed after missing its heartbeats): register again`, { code: "worker_not_found" });
    return c.json({ worker_id: input.worker_id, status: "ok", received_at: now });
  })
  .get("/", async (c) => {
    const { model_id } = parseInput(listQuery, c.req.query());
    const db = database(c.env.DB);
    const rows = await (model_id ? db.select().from(backends).where(eq(backends.modelId, model_id)) : db.select().from(backends)).all();
    const now = Date.now();
    const timeout = settings(c.env).HEARTBEAT_TIMEOUT_MS;
    return c.json({
      object: "list",
      data: rows.map((r) => ({ worker_id: r.workerId, model_id: r.modelId, backend_url: r.backendUrl, capacity: r.capacity, current_load: r.currentLoad, registered_at: r.registeredAt, last_heartbeat_at: r.heartbeatAt, status: now - r.heartbeatAt > timeout ? "unhealthy" : "healthy" })),
    });
  });
