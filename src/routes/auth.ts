/** `/api/auth`: sign up (when open), and exchange username + password for a bearer token. */
import { Hono } from "hono";
import { z } from "zod";
import { createAccount, newAccount, passwordMatches } from "../auth/accounts.ts";
import { addressSubject, clientAddress, loginSubject, reserveAttempt } from "../auth/failed-credentials.ts";
import { signAccessToken } from "../auth/jwt.ts";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database } from "../db/client.ts";
import { findUserByLogin, publicUser } from "../db/users.ts";
import { settings, type AppEnv } from "../env.ts";

/**
 * The OAuth2 password grant's form (what FastAPI-style clients send): `grant_type` may only be
 * "password", and the client and scope fields only empty, because the gateway has no use for them.
 */
export const credentials = z.strictObject({
  username: z.string().min(1, "username is required"),
  password: z.string().min(1, "password is required"),
  grant_type: z.literal("password", { message: "grant_type must be 'password'" }).optional(),
  scope: z.literal("", { message: "scopes are not used; send scope empty or leave it out" }).optional(),
  client_id: z.literal("", { message: "client credentials are not used; leave client_id out" }).optional(),
  client_secret: z.literal("", { message: "client credentials are not used; leave client_secret out" }).optional(),
});

export const authRoutes = new Hono<AppEnv>()
  .post("/register", async (c) => {
    if (!settings(c.env).ALLOW_REGISTRATION) {
      throw new GatewayError("forbidden", "sign-up is closed on this gateway; an admin creates accounts with POST /api/users", { code: "registration_closed" });
    }
    const input = parseInput(newAccount, await readJson(c.req.raw));
    // Probing which usernames and emails have accounts is limited like guessing passwords: each
    // sign-up reserves a failure, given back when the account is made.
    const attempt = await reserveAttempt(c.env, [addressSubject(c.env, clientAddress(c.req.raw))]);
    const made = await createAccount(database(c.env.DB), input);
    // One answer for a taken username and a taken email.
    if ("taken" in made) throw new GatewayError("conflict", "that username or email cannot be registered; choose another or sign in", { code: "registration_conflict" });
    await attempt.succeeded();
    return c.json(publicUser(made.user), 201);
  })
  .post("/token", async (c) => {
    const type = c.req.header("content-type") ?? "";
    const form = async () => {
      try {
        return Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, typeof v === "string" ? v : ""]));
      } catch {
        throw new GatewayError("invalid_request", "send username and password as form fields or JSON", { code: "invalid_body" });
      }
    };
    const raw = type.includes("application/json") ? await readJson(c.req.raw) : await form();
    const input = parseInput(credentials, raw);
    const user = await findUserByLogin(database(c.env.DB), input.username);
    // A failure is reserved before the password is checked, so guesses sent all at once cannot
    // outrun the limit; it is given back when the password is right.
    const attempt = await reserveAttempt(c.env, [addressSubject(c.env, clientAddress(c.req.raw)), loginSubject(c.env, user?.id, input.username)]);
    // A known and an unknown username cost the same check (one PBKDF2) and get the same answer.
    if (!(await passwordMatches(user, input.password)) || !user) {
      throw new GatewayError("unauthorized", "incorrect username or password", { code: "invalid_credentials" });
    }
    await attempt.succeeded();
    if (user.disabledAt !== null) throw new GatewayError("forbidden", "this account is disabled; ask an admin", { code: "account_disabled" });
    const { JWT_SECRET, JWT_TTL_SECONDS } = settings(c.env);
    const token = await signAccessToken({ sub: user.id, role: user.role }, JWT_SECRET, JWT_TTL_SECONDS);
    return c.json({ access_token: token, token_type: "bearer", expires_in: JWT_TTL_SECONDS });
  });
