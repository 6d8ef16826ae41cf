// The per-request context handed to LLM endpoint handlers.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ResolvedOptions } from "./config.ts";
import type { Dialect } from "./dialect.ts";
import type { Fault } from "./directives.ts";
import type { HeaderMap } from "./http.ts";
import type { RequestScope } from "./scope.ts";

/** Everything an admitted LLM request handler needs. */
export interface LlmContext {
  req: IncomingMessage;
  res: ServerResponse;
  scope: RequestScope;
  /** The wire format of the endpoint: how its errors and faults are worded. */
  dialect: Dialect;
  /** Options snapshot taken when the request arrived (later configure() calls do not affect it). */
  options: ResolvedOptions;
  /** Headers to add to every response of this request (x-request-id, rate-limit headers). */
  headers: HeaderMap;
  /** The fault configured for the request's API key (keyFaults); a fault directive in the prompt wins over it. */
  keyFault: Fault | undefined;
  /** Sequence number of the request, unique per simulator. */
  seq: number;
  /** Keeps the parsed request body among the recent ones (GET /sim/requests). */
  recordBody: (body: unknown) => void;
}
