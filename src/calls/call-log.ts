/** The finish hook that records a call's request-log row, priced (written in batches with the daily rollups, see log-batch.ts). */
import { database } from "../db/client.ts";
import { settings } from "../env.ts";
import type { CallContext } from "./call-context.ts";
import type { PricedRecord } from "./finish.ts";
import { logBatchOf } from "./log-batch.ts";

export async function logCall(ctx: CallContext, record: PricedRecord): Promise<void> {
  const now = Date.now();
  const { LOG_FLUSH_MS, USAGE_UTC_OFFSET_MINUTES } = settings(ctx.env);
  const batch = logBatchOf(ctx.env.DB, () => database(ctx.env.DB), LOG_FLUSH_MS, USAGE_UTC_OFFSET_MINUTES);
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
    costUsd: record.cost?.usd ?? null,
    listCostUsd: record.cost?.listUsd ?? null,
  });
}
