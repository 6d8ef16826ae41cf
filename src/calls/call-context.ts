/** What a call needs from whoever asked for it: the environment, the caller, `waitUntil`, and the abort signal. */
import type { Principal } from "../auth/principal.ts";
import type { Bindings } from "../env.ts";

/** Who a call is made for: a principal, or a task row (its owner and key). */
export type Caller = Pick<Principal, "ownerId" | "keyId"> & Partial<Pick<Principal, "allowedModels" | "userId" | "limits">>;

export interface CallContext {
  env: Bindings;
  caller: Caller;
  /** Runs work after the response (release, log rows) without delaying it. */
  waitUntil: (work: Promise<unknown>) => void;
  /** Aborts when the caller goes away. */
  signal: AbortSignal;
  /** The endpoint the log row names: "chat.completions", "embeddings", "tasks", … */
  endpoint: string;
  /** The request's id (`x-request-id`), on every log row of the call. */
  requestId: string;
}
