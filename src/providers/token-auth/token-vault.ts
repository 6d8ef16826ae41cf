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

export class TokenVault extends DurableObject {
  #exchanging: Promise<IssuedToken> | undefined;

  /** A valid token: the stored one, or a fresh exchange; a failed exchange comes back as data. */
  async token(config: ExchangeConfig): Promise<IssuedToken | ExchangeFailure> {
    const stored = this.ctx.storage.kv.get<IssuedToken & { user: string }>(KEY);
    if (stored && stored.expiresAt > Date.now() && stored.user === `${config.authUrl} ${config.username}`) return stored;
    this.#exchanging ??= exchangeToken(config)
      .then((issued) => {
        this.ctx.storage.kv.put(KEY, { ...issued, user: `${config.authUrl} ${config.username}` });
        return issued;
      })
      .finally(() => (this.#exchanging = undefined));
    try {
      return await this.#exchanging;
    } catch (error) {
      const e = error instanceof GatewayError ? error : new GatewayError("upstream_error", `provider '${config.provider}' token exchange failed`, { code: "upstream_error" });
      return { failed: { kind: e.kind, message: e.message, code: e.code } };
    }
  }

  /** The upstream refused `token`: forget it (unless a newer one already replaced it). */
  async forget(token: string): Promise<void> {
    if (this.ctx.storage.kv.get<IssuedToken>(KEY)?.token === token) this.ctx.storage.kv.delete(KEY);
  }
}
