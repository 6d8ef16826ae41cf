/** API keys: minting (shown once), SHA-256 lookup with a short isolate cache, revocation. */
import { and, eq, isNull } from "drizzle-orm";
import { randomToken, sha256Hex } from "../core/crypto.ts";
import type { Database } from "../db/client.ts";
import { apiKeys, users } from "../db/schema.ts";
import { ROOT_OWNER, type Principal } from "./principal.ts";

export const KEY_PREFIX = "sk-gw-";
const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 1000;

const cache = new Map<string, { principal: Principal | null; until: number }>();

/** Makes a new key; returns the plaintext (to show once) and what is stored. */
export async function mintKey(): Promise<{ key: string; hash: string; prefix: string }> {
  const key = `${KEY_PREFIX}${randomToken(24)}`;
  return { key, hash: await sha256Hex(key), prefix: `${key.slice(0, KEY_PREFIX.length + 4)}…` };
}

/**
 * Resolves a presented key to its principal, or null if unknown or revoked. A lookup that reaches
 * D1 (at most every 30 s per key and isolate) also stamps `last_used_at`, through `waitUntil`.
 */
export async function principalForKey(db: Database, key: string, waitUntil?: (work: Promise<unknown>) => void, now = Date.now()): Promise<Principal | null> {
  const hash = await sha256Hex(key);
  const hit = cache.get(hash);
  if (hit && hit.until > now) return hit.principal;
  const row = await db
    .select({ id: apiKeys.id, userId: apiKeys.userId, allowedModels: apiKeys.allowedModels, role: users.role })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)))
    .get();
  const principal: Principal | null = row
    ? row.userId
      ? { ownerId: row.userId, role: row.role ?? "user", userId: row.userId, keyId: row.id, via: "key", allowedModels: row.allowedModels ?? null }
      : { ownerId: ROOT_OWNER, role: "admin", userId: null, keyId: row.id, via: "key", allowedModels: row.allowedModels ?? null }
    : null;
  if (row && waitUntil) waitUntil(db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id)).then(() => undefined, () => undefined));
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(hash, { principal, until: now + CACHE_TTL_MS });
  return principal;
}

const roles = new Map<string, { role: Principal["role"] | null; until: number }>();

/** A user's current role (null if the user is gone), cached briefly like keys: a token's claim is not trusted for it. */
export async function currentRole(db: Database, userId: string, now = Date.now()): Promise<Principal["role"] | null> {
  const hit = roles.get(userId);
  if (hit && hit.until > now) return hit.role;
  const row = await db.select({ role: users.role }).from(users).where(eq(users.id, userId)).get();
  if (roles.size >= CACHE_MAX) roles.clear();
  roles.set(userId, { role: row?.role ?? null, until: now + CACHE_TTL_MS });
  return row?.role ?? null;
}

/** Drops cached lookups so a revocation or role change applies at once in this isolate. */
export function forgetCachedKeys(): void {
  cache.clear();
  roles.clear();
}
