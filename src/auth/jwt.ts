/** Access tokens: HS256 JWTs with required exp, iss and aud, one allowed algorithm. */
import { errors, jwtVerify, SignJWT } from "jose";
import type { Role } from "./principal.ts";

const ISSUER = "hybrid-llm-gateway";
const AUDIENCE = "hybrid-llm-gateway:api";
const encoder = new TextEncoder();

export interface AccessClaims {
  sub: string;
  role: Role;
}

/** Signs an access token for a user that expires in `ttlSeconds`. */
export async function signAccessToken(claims: AccessClaims, secret: string, ttlSeconds: number): Promise<string> {
  return new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(encoder.encode(secret));
}

/**
 * Verifies a token: its claims; "expired" for a token this gateway signed that has expired (stale,
 * not a guess); undefined for anything else (a forged, foreign or malformed token).
 */
export async function verifyAccessToken(token: string, secret: string): Promise<AccessClaims | "expired" | undefined> {
  try {
    const { payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: AUDIENCE,
      // jose checks exp only when present: demand it.
      requiredClaims: ["exp", "sub", "iss", "aud"],
    });
    const role = payload.role === "admin" ? "admin" : "user";
    return typeof payload.sub === "string" ? { sub: payload.sub, role } : undefined;
  } catch (error) {
    // jose checks the signature before the expiry: an expired token was signed with our secret.
    return error instanceof errors.JWTExpired ? "expired" : undefined;
  }
}
