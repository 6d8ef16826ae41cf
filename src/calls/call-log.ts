/** The finish hook that writes a call's request-log row. */
import { database } from "../db/client.ts";
import { writeRequestLog } from "../db/request-logs.ts";
import type { CallContext } from "./call-context.ts";
import type { CallRecord } from "./finish.ts";

export async function logCall(ctx: CallContext, record: CallRecord): Promise<void> {
  await writeRequestLog(database(ctx.env.DB), {
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
    latencyMs: Date.now() - record.startedAt,
    ttftMs: record.ttftMs ?? null,
    promptTokens: record.usage?.inputTokens ?? null,
    completionTokens: record.usage?.outputTokens ?? null,
    error: record.error ?? null,
  });
}
