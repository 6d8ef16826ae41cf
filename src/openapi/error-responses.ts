/**
 * The error side of the API docs: the two error bodies (OpenAI's shape, and Anthropic's on
 * `/v1/messages`) as zod schemas, and the errors each endpoint can give, from its access, its
 * input and what it declares itself.
 */
import { z } from "zod";
import { errorKinds } from "../core/errors.ts";
import { ERROR_TYPES } from "../wire/anthropic/error-body.ts";
import type { ErrorDialect, ErrorStatus, Operation } from "./operation.ts";

const distinct = (values: string[]) => [...new Set(values)] as [string, ...string[]];

const requestId = z.string().meta({ description: "The request's id, also sent as the `x-request-id` header and kept in the request log.", example: "req_5f0c0b1e7d2a4c51a0a3f1c2d9e8b7a6" });

/** Every error outside `/v1/messages`: OpenAI's error object plus the request id. */
export const openaiErrorBody = z.object({
  error: z.object({
    message: z.string().meta({ description: "What went wrong and, where it helps, what to do." }),
    type: z.enum(distinct(Object.values(errorKinds).map((k) => k.type))),
    param: z.string().nullable().meta({ description: "The field or header at fault, as a dotted path." }),
    code: z.string().nullable().meta({ description: "A stable machine-readable code (`unknown_field`, `model_not_found`, `invalid_api_key`, …)." }),
  }),
  request_id: requestId,
});

/** Errors on `/v1/messages`: Anthropic's error object plus the request id. */
export const anthropicErrorBody = z.object({
  type: z.literal("error"),
  error: z.object({
    type: z.enum(distinct(Object.values(ERROR_TYPES))),
    message: z.string(),
  }),
  request_id: requestId,
});

export const ERROR_SCHEMA_NAMES: Record<ErrorDialect, string> = { openai: "Error", anthropic: "AnthropicError" };

export const errorBodies: Record<ErrorDialect, z.ZodType> = { openai: openaiErrorBody, anthropic: anthropicErrorBody };

const INPUT = "The input fails validation: the message names the field (`param`); a field this endpoint does not know is refused (`code: unknown_field`).";
const TOO_LARGE = "The body is larger than MAX_BODY_BYTES (4 MiB unless changed).";
const NO_CREDENTIAL = "No credential, or a wrong, revoked or expired one.";
const GUESSING = "This client presented too many wrong credentials (AUTH_FAILURES_PER_MINUTE); retry after `Retry-After` seconds.";

/** The errors an endpoint gives because of who may call it. */
const ACCESS_ERRORS: Record<Operation["access"], Partial<Record<ErrorStatus, string>>> = {
  public: {},
  caller: { 401: NO_CREDENTIAL, 429: GUESSING },
  admin: { 401: NO_CREDENTIAL, 403: "The credential is not an admin's.", 429: GUESSING },
  internal: { 401: "No INTERNAL_API_KEY as a Bearer token, or a wrong one.", 403: "Backend registration is closed: INTERNAL_API_KEY is not set.", 429: GUESSING },
};

/** The dialect of a path's errors: the same rule the app's error handler uses. */
export function errorDialectOf(op: Pick<Operation, "path" | "errorDialect">): ErrorDialect {
  return op.errorDialect ?? (op.path.startsWith("/v1/messages") ? "anthropic" : "openai");
}

/** Every error an endpoint can answer, by status, each status's causes joined into one description. */
export function errorsOf(op: Operation): Map<ErrorStatus, string> {
  const causes = new Map<ErrorStatus, string[]>();
  const add = (status: ErrorStatus, text: string) => causes.set(status, [...(causes.get(status) ?? []), text]);
  if (op.body || op.query) add(400, INPUT);
  if (op.body) add(413, TOO_LARGE);
  for (const [status, text] of Object.entries(ACCESS_ERRORS[op.access])) add(Number(status) as ErrorStatus, text);
  for (const [status, text] of Object.entries(op.errors ?? {})) add(Number(status) as ErrorStatus, text);
  return new Map([...causes].sort(([a], [b]) => a - b).map(([status, texts]) => [status, texts.join(" Or: ")]));
}
