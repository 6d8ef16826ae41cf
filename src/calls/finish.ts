/**
 * What every call leaves behind, and the hooks that receive it when the call is over, priced: the
 * log row (and through it the usage rollups that stats and metrics read) and the charge to its
 * key's and user's limits; never at call sites. Hooks run off the hot path.
 */
import type { TokenUsage } from "../core/canonical.ts";
import type { Lane } from "../scheduler/policy.ts";
import type { CallContext } from "./call-context.ts";
import { chargeCall } from "../limits/charge-call.ts";
import { callCost } from "../pricing/price-book.ts";
import type { Cost } from "../pricing/price.ts";
import { logCall } from "./call-log.ts";

export interface CallRecord {
  endpoint: string;
  taskId?: string | undefined;
  model: string | null;
  provider: string | null;
  /** The deployment of this attempt, and which attempt of the call it was. */
  deployment: string | null;
  /** The model name the deployment's provider knows (and bills). */
  upstreamModel: string | null;
  attempt: number;
  lane: Lane | null;
  stream: boolean;
  status: number;
  startedAt: number;
  ttftMs?: number | undefined;
  usage?: TokenUsage | undefined;
  error?: string | undefined;
}

/** A finished call with what it cost (undefined when unpriced or without usage). */
export type PricedRecord = CallRecord & { cost: Cost | undefined };

export type FinishHook = (ctx: CallContext, record: PricedRecord) => Promise<void>;

const hooks: readonly FinishHook[] = [logCall, chargeCall];

const failed = (what: string) => (e: unknown) => console.error(what, e instanceof Error ? e.message : e);

/** Prices the finished call and hands it to every hook, off the hot path; a failing hook is logged, never thrown. */
export function finishCall(ctx: CallContext, record: CallRecord): void {
  ctx.waitUntil(
    (async () => {
      const cost = await callCost(ctx.env, [record.upstreamModel, record.model], record.usage, record.lane).catch((e: unknown) => void failed("pricing a call failed")(e));
      await Promise.all(hooks.map((hook) => hook(ctx, { ...record, cost }).catch(failed("a call's finish hook failed"))));
    })(),
  );
}
