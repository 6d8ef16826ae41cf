/** When a failed attempt is worth another deployment, and how long to wait before it. */
import { GatewayError } from "../core/errors.ts";

const BASE_MS = 20;
const CAP_MS = 500;

/**
 * Capacity (429), upstream failures (5xx, a timeout, a broken connection, a redirect, a malformed
 * answer) and the upstream refusing the gateway's own key (502 upstream_auth_failed) may go better
 * elsewhere. A failure of the request itself (a 4xx other than 429) would fail everywhere, and a
 * cancelled call has nobody waiting.
 */
export function worthFailingOver(error: GatewayError): boolean {
  if (error.code === "cancelled" || error.kind === "internal") return false;
  return error.status === 429 || error.status >= 500;
}

/**
 * The wait before the next deployment is tried: full-jitter exponential back-off, small (at most
 * 20 ms before the second attempt, 40 ms before the third), so calls that failed together do not
 * all land on the next deployment at the same instant.
 */
export function failoverDelayMs(attempts: number, random: () => number = Math.random): number {
  return random() * Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempts - 1));
}
