/**
 * The `TokenVault` Durable Object, one per token-auth provider: the token every isolate uses,
 * exchanged once for all of them, kept until it expires (or a 401 says it is no good), and
 * stored so a restart does not cost an exchange. Concurrent askers share one exchange.
 */
import { DurableObject } from "cloudflare:workers";
import { GatewayError, type ErrorKind } from "../../core/errors.ts";
import { exchangeToken, type ExchangeConfig, type IssuedToken } from "./exchange.ts";

/** A failed exchange, as data: an error's class does not survive the RPC boundary. */
export interface ExchangeFailure {
  failed: { kind: ErrorKind; message: string; code: string | null };
}

const KEY = "token";
/** A failed exchange is answered from memory this long: a wrong password is not posted again with every call. */
export const FAILURE_HOLD_MS = 5_000;
/** At most one token is dropped for a 401 per this long: a 401 that persists is about something else, and exchanging again would not help. */
export const RENEWAL_INTERVAL_MS = 10_000;

export class TokenVault extends DurableObject {
  #exchanging: Promise<IssuedToken> | undefined;
  #failure: { until: number; failed: ExchangeFailure } | undefined;
  #lastRenewalAt = -Infinity;

  /** A valid token: the stored one, or a fresh exchange; a failed exchange comes back as data. */
  async token(config: ExchangeConfig): Promise<IssuedToken | ExchangeFailure> {
    const stored = this.ctx.storage.kv.get<IssuedToken & { user: string }>(KEY);
    if (stored && stored.expiresAt > Date.now() && stored.user === `${config.authUrl} ${config.username}`) return stored;
    if (this.#failure && this.#failure.until > Date.now()) return this.#failure.failed;
    this.#exchanging ??= exchangeToken(config)
      .then((issued) => {
        this.ctx.storage.kv.put(KEY, { ...issued, user: `${config.authUrl} ${config.username}` });
        return issued;
      })
      .finally(() => (this.#exchanging = undefined));
    try {
      return await this.#exchanging;
    } catch (error) {
      const e = error instanceof GatewayError ? error : new GatewayError("upstream_error", `provider '${config.provider}' token exchange failed`, { code: "upstream_auth_failed" });
      const failed = { failed: { kind: e.kind, message: e.message, code: e.code } };
      this.#failure = { until: Date.now() + FAILURE_HOLD_MS, failed };
      return failed;
    }
  }

  /**
   * The upstream refused `token`: forget it, so the next call exchanges again. Returns whether a
   * retry is worth it: yes when a newer token already replaced it, no when a token was already
   * dropped for a 401 within the renewal interval (the 401s are not about the token).
   */
  async forget(token: string): Promise<boolean> {
    const stored = this.ctx.storage.kv.get<IssuedToken>(KEY);
    // Already replaced, or already dropped (the next call exchanges once for everyone).
    if (!stored || stored.token !== token) return true;
    const now = Date.now();
    if (now - this.#lastRenewalAt < RENEWAL_INTERVAL_MS) return false;
    this.#lastRenewalAt = now;
    this.ctx.storage.kv.delete(KEY);
    return true;
  }
}
