/** Accepts a task: the row is written to D1 before anything is enqueued; the queue carries only the id. */
import type { Principal } from "../auth/principal.ts";
import { deploymentsThatFit } from "../calls/call.ts";
import { prepareChat } from "../calls/chat.ts";
import { sha256Hex } from "../core/crypto.ts";
import { GatewayError } from "../core/errors.ts";
import { database } from "../db/client.ts";
import { findByIdempotencyKey, findTask, insertTask, type TaskRow } from "../db/tasks.ts";
import { settings, type Bindings } from "../env.ts";
import { planRoute } from "../routing/resolve.ts";
import { enqueueTask } from "./task-message.ts";
import { taskSweeper } from "./task-sweeper.ts";
import type { TaskRequest } from "./task-request.ts";

export interface Submitted {
  row: TaskRow;
  /** False when an idempotency key returned an earlier task. */
  created: boolean;
}

export async function submitTask(env: Bindings, principal: Principal, input: TaskRequest, idempotencyKey: string | undefined, waitUntil: (p: Promise<unknown>) => void): Promise<Submitted> {
  const db = database(env.DB);
  const now = Date.now();
  const { deadline, metadata, ...request } = input;
  const requestHash = idempotencyKey ? await sha256Hex(JSON.stringify({ request, deadline, metadata })) : null;
  if (idempotencyKey) {
    const earlier = await findByIdempotencyKey(db, principal.ownerId, idempotencyKey);
    if (earlier) return sameRequestOr422(earlier, requestHash);
  }
  const route = await planRoute(env, principal, { model: request.model });
  // What no deployment of the model can take is refused now, not when the task runs.
  const fits = deploymentsThatFit(route.deployments, (d) => void prepareChat({ dialect: "openai", body: { ...request, stream: false } }, d));
  const { TASK_DEFAULT_DEADLINE_MS } = settings(env);
  const due = deadline ? Date.parse(deadline) : now + TASK_DEFAULT_DEADLINE_MS;
  if (due <= now) throw new GatewayError("invalid_request", "deadline is in the past", { param: "deadline", code: "invalid_value" });
  const row: TaskRow = {
    id: `task_${crypto.randomUUID().replace(/-/g, "")}`,
    ownerId: principal.ownerId,
    keyId: principal.keyId,
    model: request.model,
    provider: fits[0]!.provider.name,
    status: "queued",
    request,
    metadata: metadata ?? null,
    deadline: due,
    idempotencyKey: idempotencyKey ?? null,
    requestHash,
    result: null,
    error: null,
    attempts: 0,
    preemptions: 0,
    costUsd: null,
    capacityRetries: 0,
    leaseUntil: null,
    runId: null,
    availableAt: now,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    updatedAt: now,
  };
  try {
    await insertTask(db, row);
  } catch (error) {
    // Two submissions raced on one idempotency key: the other one won.
    const winner = idempotencyKey ? await findByIdempotencyKey(db, principal.ownerId, idempotencyKey) : undefined;
    if (winner) return sameRequestOr422(winner, requestHash);
    throw error;
  }
  // If the send fails the row is still queued and due: the sweeper wakes a consumer for it.
  await enqueueTask(env.TASK_QUEUE, row.id).catch((e) => console.error("task wake-up failed; the sweeper will send one", row.id, e));
  waitUntil(taskSweeper(env).arm());
  return { row: (await findTask(db, row.id)) ?? row, created: true };
}

function sameRequestOr422(earlier: TaskRow, requestHash: string | null): Submitted {
  if (earlier.requestHash !== requestHash) {
    throw new GatewayError("unprocessable", "this Idempotency-Key was used with a different request body", { code: "idempotency_key_reused" });
  }
  return { row: earlier, created: false };
}
