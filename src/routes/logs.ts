/** `GET /api/logs`: recent request logs with filters; admins see everyone's, users their own. */
import { Hono } from "hono";
import { z } from "zod";
import { parseInput } from "../core/validate.ts";
import { database } from "../db/client.ts";
import { listRequestLogs } from "../db/request-logs.ts";
import type { AppEnv } from "../env.ts";

export const filters = z.strictObject({
  user_id: z.string().optional(),
  model: z.string().optional(),
  provider: z.string().optional(),
  deployment: z.string().optional(),
  lane: z.enum(["realtime", "task"]).optional(),
  task_id: z.string().optional(),
  request_id: z.string().optional(),
  status: z.coerce.number().int().min(100).max(599).optional(),
  since: z.coerce.number().int().nonnegative().optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const logRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const q = parseInput(filters, c.req.query());
  const principal = c.get("principal");
  const rows = await listRequestLogs(database(c.env.DB), {
    ...q,
    taskId: q.task_id,
    requestId: q.request_id,
    userId: principal.role === "admin" ? q.user_id : principal.ownerId,
  });
  return c.json({
    object: "list",
    data: rows.map((r) => ({
      id: r.id,
      request_id: r.requestId,
      created_at: r.createdAt,
      user_id: r.userId,
      key_id: r.keyId,
      endpoint: r.endpoint,
      task_id: r.taskId,
      model: r.model,
      provider: r.provider,
      deployment: r.deployment,
      attempt: r.attempt,
      lane: r.lane,
      stream: r.stream,
      status: r.status,
      latency_ms: r.latencyMs,
      ttft_ms: r.ttftMs,
      prompt_tokens: r.promptTokens,
      completion_tokens: r.completionTokens,
      cost_usd: r.costUsd,
      list_cost_usd: r.listCostUsd,
      error: r.error,
    })),
  });
});
