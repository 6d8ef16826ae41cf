/** `/v1/tasks`: submit (202), read, list and cancel task calls. Another tenant's task is a 404. */
import { Hono } from "hono";
import { z } from "zod";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database } from "../db/client.ts";
import { cancelTask, findOwnedTask, listOwnedTasks } from "../db/tasks.ts";
import type { AppEnv } from "../env.ts";
import { submitTask } from "../tasks/submit-task.ts";
import { taskRequest } from "../tasks/task-request.ts";
import { taskView } from "../tasks/task-view.ts";

export const listQuery = z.strictObject({
  status: z.enum(["queued", "running", "succeeded", "failed", "cancelled", "expired"]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().optional(),
});

const notFound = () => new GatewayError("not_found", "no such task", { code: "task_not_found" });

export const taskRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const input = parseInput(taskRequest, await readJson(c.req.raw));
    const key = c.req.header("idempotency-key")?.trim() || undefined;
    if (key && key.length > 255) throw new GatewayError("invalid_request", "Idempotency-Key is longer than 255 characters", { param: "Idempotency-Key" });
    const { row } = await submitTask(c.env, c.get("principal"), input, key, (p) => c.executionCtx.waitUntil(p));
    return c.json(taskView(row), 202);
  })
  .get("/", async (c) => {
    const q = parseInput(listQuery, c.req.query());
    const rows = await listOwnedTasks(database(c.env.DB), c.get("principal").ownerId, q);
    return c.json({ object: "list", data: rows.map(taskView), first_id: rows[0]?.id ?? null, last_id: rows.at(-1)?.id ?? null, has_more: rows.length === q.limit });
  })
  .get("/:id", async (c) => {
    const row = await findOwnedTask(database(c.env.DB), c.req.param("id"), c.get("principal").ownerId);
    if (!row) throw notFound();
    return c.json(taskView(row));
  })
  .delete("/:id", async (c) => {
    const db = database(c.env.DB);
    const owner = c.get("principal").ownerId;
    const row = await findOwnedTask(db, c.req.param("id"), owner);
    if (!row) throw notFound();
    await cancelTask(db, row.id, Date.now());
    return c.json(taskView((await findOwnedTask(db, row.id, owner)) ?? row));
  });
