/** Who is calling: the root credential, a user by JWT, or an API key (owned by a user or by root). */
import type { Limits } from "../limits/spend-policy.ts";

export type Role = "admin" | "user";

export interface Principal {
  /** Tenant id for ownership of tasks and logs: the user id, or "root". */
  ownerId: string;
  role: Role;
  userId: string | null;
  keyId: string | null;
  via: "root" | "key" | "jwt";
  /** Model names this credential may use; null means every model. */
  allowedModels: string[] | null;
  /** Rate and spend limits of the key and of its user; absent when neither has any. */
  limits?: CallerLimits | undefined;
  /** A key's end (ms); absent or null when it does not expire. */
  expiresAt?: number | null | undefined;
  /** The addresses and ranges a key may be used from; absent or null for anywhere. */
  allowedIps?: string[] | null | undefined;
}

/** The limits a call is held to: its key's and its user's (null where there are none). */
export interface CallerLimits {
  key: Limits | null;
  user: Limits | null;
}

export const ROOT_OWNER = "root";

export const rootPrincipal: Principal = { ownerId: ROOT_OWNER, role: "admin", userId: null, keyId: null, via: "root", allowedModels: null };

/** The tenant of every client key declared in gateway.yaml (`auth.api_keys`). */
export const CONFIG_OWNER = "config";

export const configKeyPrincipal: Principal = { ownerId: CONFIG_OWNER, role: "user", userId: null, keyId: null, via: "key", allowedModels: null };
