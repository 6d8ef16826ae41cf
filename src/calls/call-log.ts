/** The finish hook that records a call's request-log row (written in batches, see log-batch.ts). */
import { database } from "../db/client.ts";
import { settings } from "../env.ts";
import type { CallContext } from "./call-context.ts";
import type { CallRecord } from "./finish.ts";
import { logBatchOf } from "./log-batch.ts";

export async function logCall(ctx: CallContext, record: CallRecord): Promise<void> {
  const now = Date.now();
  const batch = logBatchOf(ctx.env.DB, () => database(ctx.env.DB), settings(ctx.env).LOG_FLUSH_MS);
  await batch.add({
    id: crypto.randomUUID(),
    createdAt: now,
    requestId: ctx.requestId,
    userId: ctx.caller.ownerId,
    keyId: ctx.caller.keyId,
    endpoint: record.endpoint,
    taskId: record.taskId ?? null,
    model: record.model,
    provider: record.provider,
    deployment: record.deployment,
    attempt: record.attempt,
    lane: record.lane,
    stream: record.stream,
    status: record.status,
    latencyMs: now - record.startedAt,
    ttftMs: record.ttftMs ?? null,
    promptTokens: record.usage?.inputTokens ?? null,
    completionTokens: record.usage?.outputTokens ?? null,
    error: record.error ?? null,
  });
}
