// Dialect: how one provider's API checks credentials, words errors and labels its responses.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HeaderMap, HttpError } from "./http.ts";
import type { RpmWindow } from "./limits.ts";
import type { TokenStore } from "./tokens.ts";

/** What a credentials check may look at. */
export interface AuthEnv {
  /** The configured API key; undefined means no authentication. */
  apiKey: string | undefined;
  /** Tokens issued by POST /auth (only the OpenAI dialect accepts them). */
  tokens: TokenStore;
  now: number;
}

/** Error-status faults, which every dialect answers in its own shape. */
export type StatusFault = "500" | "503" | "429";

/** One provider's wire conventions, shared by all of its endpoints. */
export interface Dialect {
  readonly name: "openai" | "azure" | "anthropic" | "gemini";
  /** The rejection for missing or wrong credentials (counted as unauthorized), or undefined to let the request pass. */
  authenticate(req: IncomingMessage, env: AuthEnv): HttpError | undefined;
  /** A header check made after authentication and before admission (e.g. anthropic-version), or undefined. */
  precheck(req: IncomingMessage): HttpError | undefined;
  /** Headers of every response to an admitted or rate-limited request: request id and rate-limit state. */
  headers(seq: number, window: RpmWindow, now: number, rpm: number): HeaderMap;
  /** Sends `err` in this provider's error shape. */
  sendError(res: ServerResponse, err: HttpError, headers?: HeaderMap): void;
  /** The error of an error-status fault (Anthropic answers 503 as 529 overloaded_error). */
  faultError(fault: StatusFault): HttpError;
}
