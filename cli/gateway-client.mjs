/** The CLI's HTTP client for the gateway: JSON calls, a chat stream, and the gateway's errors. */
import { EventSourceParserStream } from "eventsource-parser/stream";

/** What the gateway answered instead of success, with the request id to look it up by (`GET /api/logs?request_id=`). */
export class GatewayCallError extends Error {
  name = "GatewayCallError";
  /**
   * @param {string} message
   * @param {{ status?: number | undefined; code?: string | null | undefined; param?: string | null | undefined; requestId?: string | null | undefined }} details
   */
  constructor(message, details = {}) {
    super(message);
    this.status = details.status;
    this.code = details.code ?? null;
    this.param = details.param ?? null;
    this.requestId = details.requestId ?? null;
  }

  /** One line for a person: the message, then status, code and request id. */
  describe() {
    const status = [this.status, this.code].filter(Boolean).join(" ");
    const tail = [status, this.param && `param ${this.param}`, this.requestId && `request id ${this.requestId}`].filter(Boolean).join(", ");
    return tail ? `${this.message} (${tail})` : this.message;
  }
}

/**
 * The error a non-2xx response carries: the OpenAI error object and `request_id`, or what there is.
 * @param {Response} res
 */
export async function errorOf(res) {
  const text = await res.text().catch(() => "");
  const headerId = res.headers.get("x-request-id");
  /** @type {{ error?: { message?: unknown; code?: unknown; param?: unknown } | string; request_id?: unknown } | undefined} */
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const error = body && typeof body.error === "object" ? body.error : undefined;
  const message = typeof error?.message === "string" ? error.message : typeof body?.error === "string" ? body.error : `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`;
  return new GatewayCallError(message, {
    status: res.status,
    code: typeof error?.code === "string" ? error.code : null,
    param: typeof error?.param === "string" ? error.param : null,
    requestId: typeof body?.request_id === "string" ? body.request_id : headerId,
  });
}

/** @typedef {{ status: number; body: any; requestId: string | null }} JsonAnswer */

export class GatewayClient {
  /** Private, so printing the client never shows it. */
  #key;

  /** @param {{ baseUrl: string; key: string }} connection */
  constructor({ baseUrl, key }) {
    this.baseUrl = baseUrl;
    this.#key = key;
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   */
  async #send(method, path, body) {
    const headers = { authorization: `Bearer ${this.#key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) };
    try {
      return await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const why = /** @type {{ code?: string }} */ (cause).code ?? (cause instanceof Error ? cause.message : String(cause));
      throw new GatewayCallError(`cannot reach the gateway at ${this.baseUrl} (${why}); is it running? (npm start)`);
    }
  }

  /**
   * A JSON call; any non-2xx answer throws its GatewayCallError.
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   * @returns {Promise<JsonAnswer>}
   */
  async json(method, path, body) {
    const res = await this.#send(method, path, body);
    if (!res.ok) throw await errorOf(res);
    const requestId = res.headers.get("x-request-id");
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text), requestId };
    } catch {
      throw new GatewayCallError(`${this.baseUrl}${path} answered something other than JSON; is --base-url the gateway? (${JSON.stringify(text.slice(0, 80))})`, { status: res.status, requestId });
    }
  }

  /**
   * A streamed chat completion: yields each chunk's text. An error event, or a stream that ends
   * before `[DONE]`, throws a GatewayCallError with the response's request id.
   * @param {Record<string, unknown>} request
   * @returns {AsyncGenerator<string>}
   */
  async *streamChat(request) {
    const res = await this.#send("POST", "/v1/chat/completions", { ...request, stream: true });
    if (!res.ok) throw await errorOf(res);
    const requestId = res.headers.get("x-request-id");
    if (!res.body) throw new GatewayCallError("the gateway answered a stream without a body", { status: res.status, requestId });
    const events = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
    for await (const event of events) {
      if (event.data === "[DONE]") return;
      let chunk;
      try {
        chunk = JSON.parse(event.data);
      } catch {
        throw new GatewayCallError(`the stream sent an event that is not JSON: ${JSON.stringify(event.data.slice(0, 80))}`, { requestId });
      }
      // The status was a 200 when the stream began; the error event carries the real failure.
      if (chunk.error) throw new GatewayCallError(chunk.error.message ?? "the stream failed", { code: chunk.error.code, requestId });
      const text = chunk.choices?.[0]?.delta?.content;
      if (typeof text === "string" && text) yield text;
    }
    throw new GatewayCallError("the stream ended before [DONE]", { requestId });
  }
}
