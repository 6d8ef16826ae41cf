/** `/api/auth`: register a user, and exchange username + password for a bearer token. */
import { Hono } from "hono";
import { z } from "zod";
import { signAccessToken } from "../auth/jwt.ts";
import { hashPassword, verifyPassword } from "../core/crypto.ts";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database } from "../db/client.ts";
import { createUser, findUserByLogin } from "../db/users.ts";
import { settings, type AppEnv } from "../env.ts";

const registration = z.object({
  username: z.string().regex(/^[A-Za-z0-9_.-]{3,32}$/, "username must be 3-32 letters, digits, '.', '_' or '-'"),
  email: z.email("email must be a valid address"),
  password: z.string().min(8, "password must be at least 8 characters").max(256),
});

const credentials = z.object({ username: z.string().min(1, "username is required"), password: z.string().min(1, "password is required") });

export const authRoutes = new Hono<AppEnv>()
  .post("/register", async (c) => {
    const input = parseInput(registration, await readJson(c.req.raw));
    const { hash, salt } = await hashPassword(input.password);
    const user = await createUser(database(c.env.DB), { username: input.username, email: input.email.toLowerCase(), passwordHash: hash, passwordSalt: salt });
    return c.json({ id: user.id, object: "user", username: user.username, email: user.email, role: user.role, created_at: user.createdAt }, 201);
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
    // Hash even for unknown users so timing does not reveal which usernames exist.
    const ok = user ? await verifyPassword(input.password, user.passwordHash, user.passwordSalt) : (await hashPassword(input.password), false);
    if (!user || !ok) throw new GatewayError("unauthorized", "incorrect username or password", { code: "invalid_credentials" });
    const { JWT_SECRET, JWT_TTL_SECONDS } = settings(c.env);
    const token = await signAccessToken({ sub: user.id, role: user.role }, JWT_SECRET, JWT_TTL_SECONDS);
    return c.json({ access_token: token, token_type: "bearer", expires_in: JWT_TTL_SECONDS });
  });
