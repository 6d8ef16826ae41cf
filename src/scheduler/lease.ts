/** The Worker's side of a governor lease: request, keep alive, watch for revocation, release. */
import { GatewayError } from "../core/errors.ts";
import type { Bindings } from "../env.ts";
import type { AcquireArgs, AcquireResult } from "./governor.ts";
import { FIRST_RENEW_AFTER_MS, RENEW_EVERY_MS } from "./lease-timing.ts";
import type { GovernorView, Lane, Outcome } from "./policy.ts";

type GovernorStub = DurableObjectStub<import("./governor.ts").Governor>;

/** The governor of a deployment, by its governor name. */
export function governorFor(env: Bindings, governor: string): GovernorStub {
  return env.GOVERNOR.get(env.GOVERNOR.idFromName(governor));
}


/** A granted lease; call `release` exactly once when the upstream call is over. */
export class Lease {
  readonly id: string;
  readonly lane: Lane;
  readonly #governor: GovernorStub;
  readonly #lost = new AbortController();
  #lostBecause: "revoked" | "expired" | undefined;
  #keepAlive: ReturnType<typeof setTimeout> | undefined;
  #released = false;
  readonly #onView: ((view: GovernorView) => void) | undefined;

  constructor(governor: GovernorStub, id: string, lane: Lane, onView?: (view: GovernorView) => void) {
    this.#governor = governor;
    this.id = id;
    this.lane = lane;
    this.#onView = onView;
    // Renew well inside the TTL so a live call never loses its slot; a dead holder's lease expires.
    const renew = (after: number) => {
      this.#keepAlive = setTimeout(async () => {
        const state = await this.#governor.renew(this.id).catch(() => undefined);
        if (this.#released) return;
        if (state && (state.revoked || !state.known)) this.#lose(state.revoked ? "revoked" : "expired");
        renew(RENEW_EVERY_MS);
      }, after);
    };
    renew(FIRST_RENEW_AFTER_MS);
  }

  /**
   * Aborts when the governor takes the slot back: revoked for a realtime call (preemption), or
   * unknown to it (expired). A task holder passes it to its upstream call.
   */
  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  /** Starts listening for a revocation at once (renewals alone would notice within seconds). */
  watchRevocation(): void {
    const listen = (attempt: number) => {
      this.#governor.watch(this.id).then(
        (state) => state === "revoked" && this.#lose("revoked"),
        // The watch broke (the object restarted): listen again while the lease is held.
        () => !this.#released && attempt < 5 && listen(attempt + 1),
      );
    };
    listen(0);
  }

  #lose(why: "revoked" | "expired"): void {
    if (this.#lostBecause) return;
    this.#lostBecause = why;
    this.#lost.abort(new Error(why === "revoked" ? "preempted by a realtime call" : "the governor no longer holds this lease"));
  }

  /** Whether the slot was taken back for a realtime call. */
  get preempted(): boolean {
    return this.#lostBecause === "revoked";
  }

  /** Gives the slot back; never throws (an unreleased lease expires on its own). */
  async release(outcome?: Outcome): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    if (this.#keepAlive !== undefined) clearTimeout(this.#keepAlive);
    const view = await this.#governor.release(this.id, outcome).catch((e) => void console.error("lease release failed; it will expire", this.id, e));
    if (view) this.#onView?.(view);
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

/** What a lease is asked for: a deployment's governor, by name, with the deployment's limits. */
export interface LeaseTarget {
  governor: string;
  /** For errors: the deployment as people know it. */
  label: string;
  limits: AcquireArgs["limits"];
}

/** Asks the deployment's governor for a slot; the answer is a lease or the refusal as it came. `onView` hears what the governor says about its load. */
export async function requestLease(env: Bindings, target: LeaseTarget, request: LeaseRequest, onView?: (view: GovernorView) => void): Promise<{ lease: Lease } | { refused: Extract<AcquireResult, { ok: false }> }> {
  const governor = governorFor(env, target.governor);
  const args: AcquireArgs = { ...request, limits: target.limits };
  const result = await governor.acquire(args).catch((error: unknown) => {
    // The governor restarted or is unreachable: nothing was admitted, so the caller may retry.
    console.error("governor acquire failed", target.label, error);
    throw new GatewayError("upstream_unavailable", `the scheduler for '${target.label}' is restarting; retry shortly`, { code: "scheduler_unavailable", retryAfter: 1 });
  });
  onView?.(result.view);
  if (!result.ok) return { refused: result };
  return { lease: new Lease(governor, result.leaseId, request.lane, onView) };
}
