/** Who is calling: the root credential, a user by JWT, or an API key (owned by a user or by root). */

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
}

export const ROOT_OWNER = "root";

export const rootPrincipal: Principal = { ownerId: ROOT_OWNER, role: "admin", userId: null, keyId: null, via: "root", allowedModels: null };

/** The tenant of every client key declared in gateway.yaml (`auth.api_keys`). */
export const CONFIG_OWNER = "config";

export const configKeyPrincipal: Principal = { ownerId: CONFIG_OWNER, role: "user", userId: null, keyId: null, via: "key", allowedModels: null };
