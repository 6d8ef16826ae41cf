/** A token-auth provider's current token, from its `TokenVault`, remembered in the isolate until it expires. */
import { GatewayError } from "../../core/errors.ts";
import { settings, type Bindings } from "../../env.ts";
import type { Provider } from "../provider.ts";
import type { IssuedToken } from "./exchange.ts";

const memo = new Map<string, IssuedToken>();
const DEFAULT_CACHE_HOURS = 8;

function vault(env: Bindings, provider: Provider) {
  return env.TOKEN_VAULT.get(env.TOKEN_VAULT.idFromName(provider.name));
}

/** The token to send: the fixed one, or the exchanged one (from the isolate's memo, else the vault). */
export async function tokenFor(env: Bindings, provider: Provider): Promise<string | undefined> {
  if (!provider.options.authUrl) return provider.credential;
  const hit = memo.get(provider.name);
  if (hit && hit.expiresAt > Date.now()) return hit.token;
  const got = await vault(env, provider).token({
    provider: provider.name,
    authUrl: provider.options.authUrl,
    username: provider.options.username ?? "",
    password: provider.credential ?? "",
    tokenField: provider.options.tokenField ?? "token",
    cacheMs: (provider.options.tokenCacheHours ?? DEFAULT_CACHE_HOURS) * 3600_000,
    timeoutMs: settings(env).UPSTREAM_TIMEOUT_MS,
  });
  if ("failed" in got) throw new GatewayError(got.failed.kind, got.failed.message, { code: got.failed.code });
  memo.set(provider.name, got);
  return got.token;
}

/**
 * The upstream answered 401 to `token`: drop it here and in the vault, so the next call exchanges
 * again. Returns whether retrying the call is worth it (see TokenVault.forget).
 */
export async function forgetToken(env: Bindings, provider: Provider, token: string): Promise<boolean> {
  if (!provider.options.authUrl) return false;
  const renew = await vault(env, provider).forget(token);
  if (renew && memo.get(provider.name)?.token === token) memo.delete(provider.name);
  return renew;
}

/** Whether the provider's token comes from an exchange (and a 401 should trigger a new one). */
export function exchangesToken(provider: Provider): boolean {
  return Boolean(provider.options.authUrl);
}
