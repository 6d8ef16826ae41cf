/** Authentication: the bearer credential (or `x-api-key`) becomes the request's principal. */
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "../core/crypto.ts";
import { GatewayError } from "../core/errors.ts";
import { currentStanding, KEY_PREFIX, principalForKey } from "../auth/api-keys.ts";
import { addressSubject, clientAddress, countFailure, refuseIfKnownBlocked, type Subject } from "../auth/failed-credentials.ts";
import { verifyAccessToken } from "../auth/jwt.ts";
import { ipAllowed } from "../limits/ip-allow.ts";
import { configKeyPrincipal, rootPrincipal, type Principal } from "../auth/principal.ts";
import { configuredApiKeys } from "../routing/configured.ts";
import { database } from "../db/client.ts";
import { settings, type AppEnv, type Bindings } from "../env.ts";

function presented(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    return match?.[1]?.trim();
  }
  return request.headers.get("x-api-key")?.trim() || undefined;
}

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/**
 * The principal a credential stands for; "stale" for one that was valid once (an expired token,
 * a revoked key, a disabled user's): refused, but not a guess; null for a wrong credential.
 */
async function resolve(env: Bindings, credential: string, client: Subject, waitUntil: (work: Promise<unknown>) => void): Promise<Principal | "stale" | null> {
  const { ADMIN_API_KEY, JWT_SECRET } = settings(env);
  if (credential.startsWith(KEY_PREFIX)) {
    const found = await principalForKey(database(env.DB), credential, waitUntil);
    return found === "revoked" ? "stale" : found;
  }
  if (JWT_SHAPE.test(credential)) {
    const claims = await verifyAccessToken(credential, JWT_SECRET);
    if (claims === "expired") return "stale";
    if (!claims) return null;
    // The role comes from D1, not the token: a demotion, disabling or deletion applies without waiting for expiry.
    const standing = await currentStanding(database(env.DB), claims.sub);
    return standing ? { ownerId: claims.sub, role: standing.role, userId: claims.sub, keyId: null, via: "jwt", allowedModels: null, ...(standing.limits ? { limits: standing.limits } : {}) } : "stale";
  }
  // Anything else can only be the root key or a key from gateway.yaml, which an operator chose and
  // could be guessed: a client this isolate knows is blocked does not get them checked at all.
  refuseIfKnownBlocked(client);
  if (timingSafeEqual(credential, ADMIN_API_KEY)) return rootPrincipal;
  return configuredApiKeys(env).some((k) => timingSafeEqual(credential, k)) ? configKeyPrincipal : null;
}

/**
 * Requires a valid credential; 401 in the OpenAI error shape otherwise, and 429 once a client
 * has presented too many wrong ones. A valid key or token is never refused for its client's
 * failures (a script retrying a revoked key cannot lock out its office), and a stale one is not
 * counted as a guess.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const credential = presented(c.req.raw);
  if (!credential) {
    throw new GatewayError("unauthorized", "missing credential: send 'Authorization: Bearer <key>'", { code: "missing_api_key" });
  }
  const client = addressSubject(c.env, clientAddress(c.req.raw));
  const principal = await resolve(c.env, credential, client, (work) => c.executionCtx.waitUntil(work));
  if (principal === "stale") throw new GatewayError("unauthorized", "this API key or token is no longer valid", { code: "invalid_api_key" });
  if (!principal) {
    refuseIfKnownBlocked(client);
    throw await countFailure(c.env, [client], new GatewayError("unauthorized", "invalid API key or token", { code: "invalid_api_key" }));
  }
  // A key past its end, or used from an address it is not allowed from, is refused (a stale key is not a guess).
  if (principal.expiresAt != null && principal.expiresAt <= Date.now()) {
    throw new GatewayError("unauthorized", `this API key expired at ${new Date(principal.expiresAt).toISOString()}`, { code: "api_key_expired" });
  }
  if (principal.allowedIps && !ipAllowed(c.req.header("cf-connecting-ip"), principal.allowedIps)) {
    throw new GatewayError("forbidden", "this API key may not be used from this address", { code: "ip_not_allowed" });
  }
  c.set("principal", principal);
  await next();
});

/** Requires the admin role (the root credential, an admin user, or a root-made key). */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  if (c.get("principal").role !== "admin") throw new GatewayError("forbidden", "this endpoint is for admins", { code: "admin_only" });
  await next();
});
