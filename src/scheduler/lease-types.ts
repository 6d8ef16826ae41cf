/** The governor's vocabulary: lanes, leases, what callers ask for and report, and what the policy decides. */
import type { TaskLimitState } from "./task-limit.ts";
import type { RealtimeDemand } from "./realtime-demand.ts";
import type { TokenBucket } from "../core/token-bucket.ts";
import type { ServiceRecord } from "./task-order.ts";
import type { BreakerPhase, BreakerState } from "./breaker.ts";

export type Lane = "realtime" | "task";

export interface PolicyLimits {
  maxConcurrency: number;
  rpm?: number | undefined;
  tpm?: number | undefined;
  /** The circuit breaker's settings (absent: the defaults). */
  breaker?: { enabled?: boolean | undefined; failures?: number | undefined; failureRatio?: number | undefined; cooldownMs?: number | undefined } | undefined;
}

export interface AcquireRequest {
  lane: Lane;
  tenant: string;
  taskId?: string | undefined;
  /** Epoch ms by which a task must be done; past it the task is not admitted. */
  deadline?: number | undefined;
  /** Estimated tokens of the call, charged to the TPM bucket. */
  tokens: number;
  /** How long the caller may wait for a slot. */
  waitMs: number;
}

export interface Lease {
  id: string;
  lane: Lane;
  tenant: string;
  taskId?: string | undefined;
  tokens: number;
  grantedAt: number;
  expiresAt: number;
  /** Revoked for preemption: the holder must abort and release. */
  revoked: boolean;
  /** A capacity share (see shares.ts): this many realtime slots, spent by one isolate without round trips. */
  slots?: number | undefined;
}

/** What the holder reports when it gives a lease back. */
export interface Outcome {
  status: number;
  latencyMs: number;
  ttftMs?: number | undefined;
  tokens?: number | undefined;
  retryAfterMs?: number | undefined;
  remainingRequests?: number | undefined;
  remainingTokens?: number | undefined;
}

/** busy: no slot within the wait; rate_limited: RPM/TPM; expired: the task's deadline passed; breaker_open: the deployment is failing. */
export type RejectReason = "busy" | "rate_limited" | "expired" | "breaker_open";

/** What a governor tells each caller about its deployment, for routing the next calls. */
export interface GovernorView {
  inFlight: number;
  maxConcurrency: number;
  /** Recent realtime time to first token (or latency), null before any. */
  recentLatencyMs: number | null;
  breaker: BreakerPhase;
  /** Until a call may be tried again when the breaker is open. */
  retryInMs: number;
}

export interface Rejection {
  waiterId: string;
  reason: RejectReason;
  retryAfterMs: number;
}

/** Side effects for the shell to carry out, in order. */
export interface Effects {
  granted: { waiterId: string; lease: Lease }[];
  rejected: Rejection[];
  revoked: Lease[];
  expired: Lease[];
}

export interface Waiter {
  id: string;
  request: AcquireRequest;
  enqueuedAt: number;
  waitUntil: number;
  /** The one call let through a half-open breaker to test the deployment. */
  probe?: boolean;
}

export interface PolicyOptions {
  leaseTtlMs: number;
  /** TTL of a fresh lease until its first renew (defaults to `leaseTtlMs`). */
  firstRenewMs?: number;
  newId: () => string;
  /**
   * After an aborted call (a preempted task, a client gone mid-stream) the upstream still counts
   * it until it notices the closed connection: its slot stays taken this long after release.
   */
  abortDrainMs?: number;
}

export interface Stats {
  granted: { realtime: number; task: number };
  rejected: number;
  preemptions: number;
  upstream429: number;
  expiredLeases: number;
}

/** The persistent part of the policy (waiters are callers in memory and die with the object). */
export interface PolicySnapshot {
  limits: PolicyLimits;
  leases: Lease[];
  taskLimit: TaskLimitState;
  demand: RealtimeDemand;
  taskLatencyMs: number | null;
  cooldownUntil: number;
  rpm: TokenBucket | null;
  tpm: TokenBucket | null;
  stats: Stats;
  /** Until when each recently aborted call's slot stays taken. */
  draining: number[];
  /** Each tenant's recent task grants, for fair share (absent in snapshots from before it existed). */
  service?: ServiceRecord;
  /** The deployment's circuit breaker (absent in snapshots from before it existed). */
  breaker?: BreakerState;
  /** When a call last succeeded (health checks probe only where no call proved health recently). */
  lastSuccessAt?: number | null;
  /** When a task last asked while the breaker refused it (tasks get the probe). */
  taskKnockedAt?: number | undefined;
  /** Until when the health check sends it no probe (it refused one as a request it does not serve). */
  unprobeableUntil?: number | undefined;
}
