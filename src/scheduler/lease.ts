/** The Worker's side of a governor lease: acquire (or a 429), keep alive, watch for revocation, release. */
import { GatewayError } from "../core/errors.ts";
import type { Bindings } from "../env.ts";
import type { Provider } from "../providers/registry.ts";
import type { AcquireArgs, AcquireResult, LeaseWatch } from "./governor.ts";
import type { Lane, Outcome } from "./policy.ts";

type GovernorStub = DurableObjectStub<import("./governor.ts").Governor>;

export function governorFor(env: Bindings, provider: string): GovernorStub {
  return env.GOVERNOR.get(env.GOVERNOR.idFromName(provider));
}

/** A granted lease; call `release` exactly once when the upstream call is over. */
export class Lease {
  readonly id: string;
  readonly lane: Lane;
  readonly #governor: GovernorStub;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #released = false;

  constructor(governor: GovernorStub, id: string, lane: Lane, ttlMs: number) {
    this.#governor = governor;
    this.id = id;
    this.lane = lane;
    // Renew well inside the TTL so a live call never loses its slot; a dead holder's lease expires.
    this.#keepAlive = setInterval(() => {
      this.#governor.renew(this.id).catch(() => {});
    }, Math.max(1000, ttlMs / 3));
  }

  /** Resolves "revoked" if the governor preempts this lease (or "gone" once it is released). */
  watch(): Promise<LeaseWatch> {
    return this.#governor.watch(this.id);
  }

  async release(outcome?: Outcome): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#keepAlive ?? null);
    await this.#governor.release(this.id, outcome);
  }
}

export interface LeaseRequest {
  lane: Lane;
  tenant: string;
  tokens: number;
  waitMs: number;
  taskId?: string;
  deadline?: number;
}

/** Asks the provider's governor for a slot; the answer is a lease or the refusal as it came. */
export async function requestLease(env: Bindings, provider: Provider, request: LeaseRequest): Promise<{ lease: Lease } | { refused: Extract<AcquireResult, { ok: false }> }> {
  const governor = governorFor(env, provider.name);
  const args: AcquireArgs = { ...request, limits: provider.limits };
  const result = await governor.acquire(args);
  if (!result.ok) return { refused: result };
  return { lease: new Lease(governor, result.leaseId, request.lane, result.ttlMs) };
}

/** A realtime slot, or a 429 with `Retry-After` when none opened within the wait. */
export async function acquireRealtime(env: Bindings, provider: Provider, request: Omit<LeaseRequest, "lane">): Promise<Lease> {
  const got = await requestLease(env, provider, { ...request, lane: "realtime" });
  if ("lease" in got) return got.lease;
  const { reason, retryAfterMs } = got.refused;
  const message =
    reason === "rate_limited"
      ? `provider '${provider.name}' is at its configured request or token rate; retry later`
      : `provider '${provider.name}' is at capacity (${provider.limits.maxConcurrency} concurrent calls); retry later`;
  throw new GatewayError("rate_limited", message, { code: reason === "rate_limited" ? "rate_limit_exceeded" : "capacity_exceeded", retryAfter: Math.max(1, retryAfterMs / 1000) });
}
