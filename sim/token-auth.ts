// POST /auth: exchanges a username and password for a bearer token, placed at the configured (dotted) field.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ResolvedOptions } from "./config.ts";
import { ClientGoneError, errorBody, HttpError, readJson, sendHttpError, sendJson } from "./http.ts";
import { isRecord } from "./json.ts";
import type { TokenStore } from "./tokens.ts";

/** `{expires_in}` with `token` set at the dotted path `field` ("data.access_token" → `{data:{access_token}}`). */
export function tokenAnswer(field: string, token: string, expiresIn: number): Record<string, unknown> {
  const answer: Record<string, unknown> = {};
  const keys = field.split(".");
  let at = answer;
  for (const key of keys.slice(0, -1)) {
    if (!isRecord(at[key])) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = token;
  if (!Object.hasOwn(answer, "expires_in")) answer.expires_in = expiresIn;
  return answer;
}

/**
 * Handles POST /auth with a JSON `{username, password}`: 200 with a token valid for `tokenTtlMs`
 * (`expires_in` in whole seconds, rounded down), 401 for wrong credentials, 400 for a malformed body.
 * Calls `onIssued` after a successful exchange.
 */
export async function handleAuth(req: IncomingMessage, res: ServerResponse, o: ResolvedOptions, tokens: TokenStore, onIssued: () => void, onRefused: () => void = () => {}): Promise<void> {
  try {
    const body = await readJson(req);
    if (!isRecord(body) || typeof body.username !== "string" || typeof body.password !== "string") {
      throw new HttpError(400, "The body must be a JSON object with string fields username and password.");
    }
    if (body.username !== o.authUsername || body.password !== o.authPassword) {
      onRefused();
      return sendJson(res, 401, errorBody("invalid username or password (simulated)", "invalid_request_error", "invalid_credentials"));
    }
    const token = tokens.issue(Date.now(), o.tokenTtlMs);
    onIssued();
    sendJson(res, 200, tokenAnswer(o.tokenField, token, Math.floor(o.tokenTtlMs / 1000)));
  } catch (err) {
    if (err instanceof HttpError) return sendHttpError(res, err);
    if (!(err instanceof ClientGoneError)) sendHttpError(res, new HttpError(500, String(err), { type: "server_error" }));
  }
}
