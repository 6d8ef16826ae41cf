/** The request-log row for one call, written off the hot path through `waitUntil`. */
import type { Principal } from "../auth/principal.ts";
import { database } from "../db/client.ts";
import { writeRequestLog } from "../db/request-logs.ts";
import type { Usage } from "../core/openai-schema.ts";
import type { Bindings } from "../env.ts";
import type { Lane } from "../scheduler/policy.ts";

export interface CallRecord {
  endpoint: string;
  taskId?: string | undefined;
  model: string | null;
  provider: string | null;
  lane: Lane | null;
  stream: boolean;
  status: number;
  startedAt: number;
  ttftMs?: number | undefined;
  usage?: Usage | undefined;
  error?: string | undefined;
}

/** Who made the call: a principal, or a task row (its owner and key). */
export type Caller = Pick<Principal, "ownerId" | "keyId">;

export function logCall(env: Bindings, principal: Caller | undefined, record: CallRecord): Promise<void> {
  return writeRequestLog(database(env.DB), {
    userId: principal?.ownerId ?? null,
    keyId: principal?.keyId ?? null,
    endpoint: record.endpoint,
    taskId: record.taskId ?? null,
    model: record.model,
    provider: record.provider,
    lane: record.lane,
    stream: record.stream,
    status: record.status,
    latencyMs: Date.now() - record.startedAt,
    ttftMs: record.ttftMs ?? null,
    promptTokens: record.usage?.prompt_tokens ?? null,
    completionTokens: record.usage?.completion_tokens ?? null,
    error: record.error ?? null,
  }).catch((e) => console.error("request log write failed", e instanceof Error ? e.message : e));
}
