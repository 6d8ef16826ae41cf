/** The finish hook that charges a call's tokens and cost to its key's and user's limits. */
import { limitsOf } from "../auth/api-keys.ts";
import type { CallContext } from "../calls/call-context.ts";
import type { PricedRecord } from "../calls/finish.ts";
import { database } from "../db/client.ts";
import { chargeSubjects, subjectsOf } from "./spend-limits.ts";

export async function chargeCall(ctx: CallContext, record: PricedRecord): Promise<void> {
  const tokens = (record.usage?.inputTokens ?? 0) + (record.usage?.outputTokens ?? 0);
  const costUsd = record.cost?.usd ?? 0;
  if (tokens === 0 && costUsd === 0) return;
  const { keyId, ownerId } = ctx.caller;
  // An HTTP call has its principal's limits; a task run (whose caller is its row's key and owner) looks them up, cached.
  const fromPrincipal = ctx.caller.userId !== undefined;
  const userId = fromPrincipal ? (ctx.caller.userId ?? null) : ownerId;
  const limits = fromPrincipal ? ctx.caller.limits : await limitsOf(database(ctx.env.DB), keyId, userId);
  await chargeSubjects(ctx.env, subjectsOf(limits, keyId, userId), { tokens, costUsd });
}
