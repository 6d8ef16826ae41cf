/** API keys: minting (shown once), SHA-256 lookup with short isolate caches, revocation. */
import { eq } from "drizzle-orm";
import { randomToken, sha256Hex } from "../core/crypto.ts";
import type { Database } from "../db/client.ts";
import { apiKeys, users } from "../db/schema.ts";
import { ROOT_OWNER, type Principal } from "./principal.ts";

export const KEY_PREFIX = "sk-gw-";
/** How long a lookup is trusted in one isolate: a revocation elsewhere takes at most this long here. */
export const CACHE_TTL_MS = 30_000;

/**
 * A bounded map that evicts its least recently used entry, so one kind of traffic cannot flush
 * another: unknown keys live in their own, smaller map, and a flood of them never evicts a valid key.
 */
class LruCache<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();
  constructor(readonly max: number) {}

  get(key: string, now: number): V | undefined {
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    this.#entries.delete(key);
    if (hit.until <= now) return undefined;
    this.#entries.set(key, hit);
    return hit.value;
  }

  set(key: string, value: V, until: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { value, until });
  }

  clear(): void {
    this.#entries.clear();
  }
}

const known = new LruCache<Principal>(10_000);
const unknown = new LruCache<"revoked" | null>(2_000);
const roles = new LruCache<Principal["role"] | null>(10_000);

/** Makes a new key; returns the plaintext (to show once) and what is stored. */
export async function mintKey(): Promise<{ key: string; hash: string; prefix: string }> {
  const key = `${KEY_PREFIX}${randomToken(24)}`;
  return { key, hash: await sha256Hex(key), prefix: `${key.slice(0, KEY_PREFIX.length + 4)}…` };
}

/**
 * Resolves a presented key to its principal; "revoked" for a key that existed but no longer works
 * (revoked, or its user disabled or gone: stale, not a guess); null for a key never issued.
 * A lookup that reaches D1 (at most every 30 s per key and isolate) also stamps `last_used_at`.
 */
export async function principalForKey(db: Database, key: string, waitUntil?: (work: Promise<unknown>) => void, now = Date.now()): Promise<Principal | "revoked" | null> {
  const hash = await sha256Hex(key);
  const hit = known.get(hash, now);
  if (hit) return hit;
  const miss = unknown.get(hash, now);
  if (miss !== undefined) return miss;
  const row = await db
    .select({ id: apiKeys.id, userId: apiKeys.userId, allowedModels: apiKeys.allowedModels, revokedAt: apiKeys.revokedAt, role: users.role, disabledAt: users.disabledAt })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.userId))
    .where(eq(apiKeys.keyHash, hash))
    .get();
  if (!row || row.revokedAt !== null || row.disabledAt !== null || (row.userId && !row.role)) {
    const answer = row ? "revoked" : null;
    unknown.set(hash, answer, now + CACHE_TTL_MS);
    return answer;
  }
  const principal: Principal = row.userId
    ? { ownerId: row.userId, role: row.role ?? "user", userId: row.userId, keyId: row.id, via: "key", allowedModels: row.allowedModels ?? null }
    : { ownerId: ROOT_OWNER, role: "admin", userId: null, keyId: row.id, via: "key", allowedModels: row.allowedModels ?? null };
  waitUntil?.(db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id)).then(() => undefined, () => undefined));
  known.set(hash, principal, now + CACHE_TTL_MS);
  return principal;
}

/**
 * A user's current role, or null if the user is gone or disabled; cached briefly like keys. A
 * token's own claim is not trusted for it.
 */
export async function currentRole(db: Database, userId: string, now = Date.now()): Promise<Principal["role"] | null> {
  const hit = roles.get(userId, now);
  if (hit !== undefined) return hit;
  const row = await db.select({ role: users.role, disabledAt: users.disabledAt }).from(users).where(eq(users.id, userId)).get();
  const role = row && row.disabledAt === null ? row.role : null;
  roles.set(userId, role, now + CACHE_TTL_MS);
  return role;
}

/** Drops cached lookups so a revocation, role change, disabling or deletion applies at once in this isolate. */
export function forgetCachedKeys(): void {
  known.clear();
  unknown.clear();
  roles.clear();
}
