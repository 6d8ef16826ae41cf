/** A realtime slot for a call, with the refusal (429, or 503 while the governor restarts) logged. */
import { GatewayError } from "../core/errors.ts";
import { estimateTokens } from "../core/usage.ts";
import { settings } from "../env.ts";
import type { ModelRoute } from "../providers/registry.ts";
import { acquireRealtime, type Lease } from "../scheduler/lease.ts";
import { logCall, type CallRecord } from "./call-log.ts";
import type { CallScope } from "./realtime-chat.ts";

export async function leaseForRealtime(scope: CallScope, route: ModelRoute, body: Parameters<typeof estimateTokens>[0], record: CallRecord): Promise<Lease> {
  const { env, principal, waitUntil } = scope;
  try {
    return await acquireRealtime(env, route.provider, { tenant: principal.ownerId, tokens: estimateTokens(body), waitMs: settings(env).REALTIME_WAIT_MS });
  } catch (error) {
    waitUntil(logCall(env, principal, { ...record, status: error instanceof GatewayError ? error.status : 500, error: error instanceof Error ? error.message : "no capacity" }));
    throw error;
  }
}
