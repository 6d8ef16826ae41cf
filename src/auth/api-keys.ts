/** API keys: minting (shown once), SHA-256 lookup with short isolate caches, revocation. */
import { eq } from "drizzle-orm";
import { randomToken, sha256Hex } from "../core/crypto.ts";
import type { Database } from "../db/client.ts";
import { apiKeys, users } from "../db/schema.ts";
import { hasLimits, type Limits } from "../limits/spend-policy.ts";
import { ROOT_OWNER, type CallerLimits, type Principal } from "./principal.ts";

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
const roles = new LruCache<UserStanding | null>(10_000);

/** A signed-in user's role and limits. */
export interface UserStanding {
  role: Principal["role"];
  limits: CallerLimits | undefined;
}

/** The key's and user's limits, or undefined when neither has any. */
export function callerLimits(key: Limits | null | undefined, user: Limits | null | undefined): CallerLimits | undefined {
  const k = hasLimits(key) ? key : null;
  const u = hasLimits(user) ? user : null;
  return k || u ? { key: k, user: u } : undefined;
}

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
    .select({
      id: apiKeys.id,
      userId: apiKeys.userId,
      allowedModels: apiKeys.allowedModels,
      revokedAt: apiKeys.revokedAt,
      expiresAt: apiKeys.expiresAt,
      allowedIps: apiKeys.allowedIps,
      key: { rpm: apiKeys.rpm, tpm: apiKeys.tpm, dailyBudgetUsd: apiKeys.dailyBudgetUsd, monthlyBudgetUsd: apiKeys.monthlyBudgetUsd },
      role: users.role,
      disabledAt: users.disabledAt,
      user: { rpm: users.rpm, tpm: users.tpm, dailyBudgetUsd: users.dailyBudgetUsd, monthlyBudgetUsd: users.monthlyBudgetUsd },
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.userId))
    .where(eq(apiKeys.keyHash, hash))
    .get();
  if (!row || row.revokedAt !== null || row.disabledAt !== null || (row.userId && !row.role)) {
    const answer = row ? "revoked" : null;
    unknown.set(hash, answer, now + CACHE_TTL_MS);
    return answer;
  }
  const limits = callerLimits(row.key, row.user);
  const restrictions = { allowedModels: row.allowedModels ?? null, expiresAt: row.expiresAt, allowedIps: row.allowedIps, ...(limits ? { limits } : {}) };
  const principal: Principal = row.userId
    ? { ownerId: row.userId, role: row.role ?? "user", userId: row.userId, keyId: row.id, via: "key", ...restrictions }
    : { ownerId: ROOT_OWNER, role: "admin", userId: null, keyId: row.id, via: "key", ...restrictions };
  waitUntil?.(db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id)).then(() => undefined, () => undefined));
  known.set(hash, principal, now + CACHE_TTL_MS);
  return principal;
}

/**
 * A user's current role and limits, or null if the user is gone or disabled; cached briefly like
 * keys. A token's own claim is not trusted for it.
 */
export async function currentStanding(db: Database, userId: string, now = Date.now()): Promise<UserStanding | null> {
  const hit = roles.get(userId, now);
  if (hit !== undefined) return hit;
  const row = await db.select({ role: users.role, disabledAt: users.disabledAt, rpm: users.rpm, tpm: users.tpm, dailyBudgetUsd: users.dailyBudgetUsd, monthlyBudgetUsd: users.monthlyBudgetUsd }).from(users).where(eq(users.id, userId)).get();
  const standing = row && row.disabledAt === null ? { role: row.role, limits: callerLimits(null, row) } : null;
  roles.set(userId, standing, now + CACHE_TTL_MS);
  return standing;
}

const keyLimits = new LruCache<CallerLimits | null>(10_000);

/**
 * The limits of a key and its user by id, for calls made without the principal at hand (task
 * runs); cached like keys.
 */
export async function limitsOf(db: Database, keyId: string | null, userId: string | null, now = Date.now()): Promise<CallerLimits | undefined> {
  const id = `${keyId ?? ""}/${userId ?? ""}`;
  const hit = keyLimits.get(id, now);
  if (hit !== undefined) return hit ?? undefined;
  const key = keyId ? await db.select({ rpm: apiKeys.rpm, tpm: apiKeys.tpm, dailyBudgetUsd: apiKeys.dailyBudgetUsd, monthlyBudgetUsd: apiKeys.monthlyBudgetUsd }).from(apiKeys).where(eq(apiKeys.id, keyId)).get() : undefined;
  const user = userId ? await db.select({ rpm: users.rpm, tpm: users.tpm, dailyBudgetUsd: users.dailyBudgetUsd, monthlyBudgetUsd: users.monthlyBudgetUsd }).from(users).where(eq(users.id, userId)).get() : undefined;
  const limits = callerLimits(key, user);
  keyLimits.set(id, limits ?? null, now + CACHE_TTL_MS);
  return limits;
}

/** Drops cached lookups so a revocation, role change, disabling or deletion applies at once in this isolate. */
export function forgetCachedKeys(): void {
  known.clear();
  unknown.clear();
  roles.clear();
  keyLimits.clear();
}
