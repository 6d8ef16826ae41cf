/**
 * What every call leaves behind, and the hooks that receive it when the call is over: the log row
 * now; cost, budgets and metrics attach here too, never at call sites. Hooks run off the hot path.
 */
import type { TokenUsage } from "../core/canonical.ts";
import type { Lane } from "../scheduler/policy.ts";
import type { CallContext } from "./call-context.ts";
import { logCall } from "./call-log.ts";

export interface CallRecord {
  endpoint: string;
  taskId?: string | undefined;
  model: string | null;
  provider: string | null;
  /** The deployment of this attempt, and which attempt of the call it was. */
  deployment: string | null;
  attempt: number;
  lane: Lane | null;
  stream: boolean;
  status: number;
  startedAt: number;
  ttftMs?: number | undefined;
  usage?: TokenUsage | undefined;
  error?: string | undefined;
}

export type FinishHook = (ctx: CallContext, record: CallRecord) => Promise<void>;

const hooks: readonly FinishHook[] = [logCall];

/** Hands the finished call to every hook, off the hot path; a failing hook is logged, never thrown. */
export function finishCall(ctx: CallContext, record: CallRecord): void {
  for (const hook of hooks) ctx.waitUntil(hook(ctx, record).catch((e) => console.error("a call's finish hook failed", e instanceof Error ? e.message : e)));
}
