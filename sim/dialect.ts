// Dialect: how one provider's API checks credentials, words errors and labels its responses.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HeaderMap, HttpError } from "./http.ts";
import type { RpmWindow } from "./limits.ts";
import type { TokenStore } from "./tokens.ts";

/** What a credentials check may look at. */
export interface AuthEnv {
  /** The valid API keys (`apiKey` and `apiKeys`); undefined means no authentication. */
  keys: ReadonlySet<string> | undefined;
  /** Tokens issued by POST /auth (only the OpenAI dialect accepts them). */
  tokens: TokenStore;
  now: number;
}

/**
 * Who an accepted request is: the API key it presented (valid, or any key when authentication is off), a
 * POST /auth token, or nobody (authentication off and no key). Per-key faults and counters follow it.
 */
export type Caller = { kind: "key"; key: string } | { kind: "token" } | { kind: "anonymous" };

/** The caller of a request presenting `key` (undefined: none), or undefined when `key` must be refused. */
export function acceptKey(key: string | undefined, env: AuthEnv): Caller | undefined {
  if (key !== undefined && (env.keys === undefined || env.keys.has(key))) return { kind: "key", key };
  return env.keys === undefined ? { kind: "anonymous" } : undefined;
}

/** Error-status faults, which every dialect answers in its own shape. */
export type StatusFault = "500" | "503" | "429";

/** One provider's wire conventions, shared by all of its endpoints. */
export interface Dialect {
  readonly name: "openai" | "azure" | "anthropic" | "gemini";
  /** The rejection for missing or wrong credentials (counted as unauthorized), or the caller of a request that may pass. */
  authenticate(req: IncomingMessage, env: AuthEnv): HttpError | Caller;
  /** A header check made after authentication and before admission (e.g. anthropic-version), or undefined. */
  precheck(req: IncomingMessage): HttpError | undefined;
  /** Headers of every response to an admitted or rate-limited request: request id and rate-limit state. */
  headers(seq: number, window: RpmWindow, now: number, rpm: number): HeaderMap;
  /** Sends `err` in this provider's error shape. */
  sendError(res: ServerResponse, err: HttpError, headers?: HeaderMap): void;
  /** The error of an error-status fault (Anthropic answers 503 as 529 overloaded_error). */
  faultError(fault: StatusFault): HttpError;
}
