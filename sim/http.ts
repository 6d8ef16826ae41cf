// HTTP helpers: JSON responses, the HttpError every format words its own way, OpenAI error bodies, bounded JSON body reading.
import type { IncomingMessage, ServerResponse } from "node:http";

/** Extra response headers. */
export type HeaderMap = Record<string, string>;

/** OpenAI error envelope: `{error:{message,type,param,code}}`. */
export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * An error that maps to an HTTP error response. The OpenAI dialect uses every field; Anthropic words it by
 * status, Gemini by status plus `details`.
 */
export class HttpError extends Error {
  status: number;
  type: string;
  code: string | null;
  param: string | null;
  /** google.rpc details for Gemini error bodies (e.g. ErrorInfo with reason API_KEY_INVALID). */
  details: unknown[] | undefined;
  constructor(
    status: number,
    message: string,
    opts: { type?: string; code?: string | null; param?: string | null; details?: unknown[] } = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.type = opts.type ?? "invalid_request_error";
    this.code = opts.code ?? null;
    this.param = opts.param ?? null;
    this.details = opts.details;
  }
}

/** Raised by readJson when the client went away before the body was complete. */
export class ClientGoneError extends Error {
  constructor() {
    super("client closed the connection while sending the body");
    this.name = "ClientGoneError";
  }
}

/** Builds an OpenAI error body. */
export function errorBody(message: string, type = "invalid_request_error", code: string | null = null, param: string | null = null): ErrorBody {
  return { error: { message, type, param, code } };
}

/** Sends `body` as JSON with a content-length; a no-op when headers were already sent or the socket is gone. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: HeaderMap = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Sends an HttpError as an OpenAI-shaped error response. */
export function sendHttpError(res: ServerResponse, err: HttpError, headers: HeaderMap = {}): void {
  sendJson(res, err.status, errorBody(err.message, err.type, err.code, err.param), headers);
}

/** Default maximum request body size (16 MiB). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Reads and parses a JSON request body.
 * @throws HttpError 400 on empty/invalid JSON, 413 when larger than `maxBytes`; ClientGoneError on abort.
 */
export function readJson(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    let settled = false;
    const settle = (fn: () => void): void => {
      if (!settled) {
        settled = true;
        fn();
      }
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () =>
      settle(() => {
        if (tooLarge) return reject(new HttpError(413, `Request body larger than ${maxBytes} bytes.`));
        const text = Buffer.concat(chunks).toString("utf8");
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new HttpError(400, "We could not parse the JSON body of your request. (HINT: the body must be valid JSON.)"));
        }
      }),
    );
    req.on("error", () => settle(() => reject(new ClientGoneError())));
    req.on("close", () => settle(() => reject(new ClientGoneError())));
  });
}
