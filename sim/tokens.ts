// TokenStore: bearer tokens issued by POST /auth, each valid until its expiry time.

/** Prefix of every issued token; a bearer value with it that was never issued is an "invalid token". */
export const TOKEN_PREFIX = "tok_sim_";

/** Most tokens remembered; the oldest are forgotten past it. */
const MAX_TOKENS = 10_000;

/** State of a presented token at a given time. */
export type TokenState = "valid" | "expired" | "unknown";

/** Issues tokens `tok_sim_<n>` and answers whether one is still valid. */
export class TokenStore {
  #expiry = new Map<string, number>();
  #issued = 0;

  /** Issues a token valid for `ttlMs` from `now`. */
  issue(now: number, ttlMs: number): string {
    const token = `${TOKEN_PREFIX}${++this.#issued}`;
    this.#expiry.set(token, now + ttlMs);
    if (this.#expiry.size > MAX_TOKENS) this.#expiry.delete(this.#expiry.keys().next().value!);
    return token;
  }

  /** "valid" before the token's expiry, "expired" from then on, "unknown" when it was never issued. */
  check(token: string, now: number): TokenState {
    const expiresAt = this.#expiry.get(token);
    if (expiresAt === undefined) return "unknown";
    return now < expiresAt ? "valid" : "expired";
  }

  /** Expires every issued token at `now`; returns how many were still valid. */
  expireAll(now: number): number {
    let count = 0;
    for (const [token, expiresAt] of this.#expiry) {
      if (now < expiresAt) {
        count++;
        this.#expiry.set(token, now);
      }
    }
    return count;
  }
}
