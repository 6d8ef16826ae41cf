/**
 * One gateway endpoint as the API docs describe it: its method and path, the same zod schemas its
 * handler parses, its success response and its errors. Declared beside each route group in
 * src/routes/openapi/ and turned into OpenAPI by ./document.ts.
 */
import type { z } from "zod";

export type Method = "get" | "post" | "put" | "patch" | "delete";

/**
 * Who may call an endpoint, which also fixes the errors its credential check can give:
 * `public` (no credential), `caller` (a gateway key, a user's JWT or the root key), `admin` (the
 * admin role), `internal` (Bearer INTERNAL_API_KEY, for self-registering backends).
 */
export type Access = "public" | "caller" | "admin" | "internal";

/** The error body a path answers in: OpenAI's everywhere, Anthropic's on `/v1/messages`. */
export type ErrorDialect = "openai" | "anthropic";

/** The statuses an endpoint may declare as its own errors (4xx mistakes, 5xx upstream trouble). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 422 | 429 | 500 | 502 | 503 | 504;

export interface SuccessResponse {
  status: 200 | 201 | 202;
  description: string;
  /** The JSON body's shape; left out, the body is documented as a JSON object. */
  schema?: z.ZodType;
  /** A name for the schema under components.schemas (else one is made from the operation). */
  name?: string;
  /** Also answers `text/event-stream` (a streamed call). */
  stream?: string;
  /** A body that is not JSON: an HTML page, Prometheus text (`text/plain; version=0.0.4`), … */
  contentType?: string;
  /** The same body in other media types too, besides JSON (`application/yaml` when the query asks). */
  mediaTypes?: readonly string[];
  /**
   * Document the schema on its input side, as a request body is: for an answer that is a
   * document the gateway also takes (the config export is what the import reads).
   */
  side?: "input";
}

export interface Operation {
  method: Method;
  /** The path exactly as the app registers it, in Hono's syntax: `/v1/tasks/:id`, `/v1/models/:id{.+}`. */
  path: string;
  /** A stable camelCase name for client generators (`createChatCompletion`); names its schemas too. */
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  /** The JSON body's schema: the very object the handler parses. */
  body?: z.ZodType;
  /** A name for the body schema under components.schemas (else one is made from the operation). */
  bodyName?: string;
  /** The body may be left out (`POST /v1/models/{id}/test`). */
  bodyOptional?: boolean;
  /** The body is also accepted as an HTML form (`POST /api/auth/token`). */
  form?: boolean;
  /** Other media types the body is taken in, with the same schema (`application/yaml`). */
  bodyMediaTypes?: readonly string[];
  /** The query string's schema: a zod object, each field one query parameter. */
  query?: z.ZodObject;
  /** Request headers the handler reads. */
  headers?: Record<string, string>;
  /** A description for each path parameter (`id`: "the task's id"). */
  params?: Record<string, string>;
  /** The success response; a list when it answers differently by input (200 realtime, 202 task). */
  response: SuccessResponse | readonly SuccessResponse[];
  /**
   * The errors this endpoint gives itself. Those of its access (401, 403, 429 for failed
   * credentials) and of a body or query (400, 413) are added by the generator.
   */
  errors?: Partial<Record<ErrorStatus, string>>;
  /** Defaults to the dialect of the path (Anthropic's on `/v1/messages`). */
  errorDialect?: ErrorDialect;
}

/** Declares a route group's operations with the fields they share (tag, access, error dialect). */
export function operations<const Shared extends Partial<Pick<Operation, "tag" | "access" | "errorDialect">>>(
  shared: Shared,
  list: readonly (Omit<Operation, keyof Shared> & Partial<Pick<Operation, keyof Shared & keyof Operation>>)[],
): Operation[] {
  return list.map((op) => ({ ...shared, ...op }) as unknown as Operation);
}
