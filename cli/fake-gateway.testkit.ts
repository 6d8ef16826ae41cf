// A stand-in gateway for the CLI's unit tests: a real HTTP server answering with the gateway's shapes.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export type Handler = (req: SeenRequest, res: ServerResponse) => void;

/** Serves `routes` ("METHOD /path" → handler) and records every request; unknown routes are 404s. */
export async function fakeGateway(routes: Record<string, Handler>) {
  const seen: SeenRequest[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const seenReq = { method: req.method ?? "GET", path: req.url ?? "/", authorization: req.headers.authorization, body: text ? JSON.parse(text) : undefined };
    seen.push(seenReq);
    const handler = routes[`${seenReq.method} ${seenReq.path}`];
    if (handler) return handler(seenReq, res);
    json(res, 404, { error: { message: "no such route", type: "not_found_error", param: null, code: "not_found" }, request_id: "req_fake404" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, requestId = "req_fake") {
  res.writeHead(status, { "content-type": "application/json", "x-request-id": requestId });
  res.end(JSON.stringify(body));
}

/** An SSE response of these `data:` payloads. */
export function sse(res: ServerResponse, events: string[], requestId = "req_stream") {
  res.writeHead(200, { "content-type": "text/event-stream", "x-request-id": requestId });
  for (const data of events) res.write(`data: ${data}\n\n`);
  res.end();
}

/** A chat.completion.chunk carrying `text`. */
export const delta = (text: string) => JSON.stringify({ object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: text } }] });

/** Output streams that remember what was written, as a terminal or a pipe. */
export function capture(tty = false) {
  const out = { text: "", isTTY: tty, write: (s: string) => void (out.text += s) };
  const err = { text: "", isTTY: tty, write: (s: string) => void (err.text += s) };
  return { out, err };
}
