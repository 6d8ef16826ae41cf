// startSimulator: the OpenAI-compatible upstream simulator's HTTP server, routing, auth and admission control.
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleChat } from "./chat.ts";
import type { ResolvedOptions, SimOptions } from "./config.ts";
import { resolveOptions, SimConfigError, validatePatch } from "./config.ts";
import type { LlmContext } from "./context.ts";
import { DirectiveError } from "./directives.ts";
import { handleEmbeddings } from "./embeddings.ts";
import { ClientGoneError, errorBody, HttpError, readJson, sendHttpError, sendJson } from "./http.ts";
import { overCap, RpmWindow } from "./limits.ts";
import { modelList } from "./models.ts";
import { RequestScope } from "./scope.ts";
import type { SimStats } from "./stats.ts";
import { emptyStats, resetStats } from "./stats.ts";

export type { SimOptions } from "./config.ts";
export type { SimStats } from "./stats.ts";

/** A running simulator. */
export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:PORT (append /v1 for an OpenAI client). */
  url: string;
  port: number;
  /** Snapshot of the counters. */
  stats(): SimStats;
  /** The most recent chat request bodies, oldest first (at most 50). */
  requests(): unknown[];
  /** Zeroes the counters (incl. maxInFlight) and forgets the RPM window and recent requests. */
  reset(): void;
  /** Changes options for requests arriving from now on. @throws SimConfigError (also when changing port). */
  configure(patch: Partial<SimOptions>): void;
  /** Stops listening and drops every open connection. */
  close(): Promise<void>;
}

type Handler = (ctx: LlmContext) => Promise<void>;

/** Starts a simulator on 127.0.0.1. @throws SimConfigError on invalid options. */
export async function startSimulator(opts: SimOptions = {}): Promise<Simulator> {
  let options: ResolvedOptions = resolveOptions(opts);
  const stats = emptyStats();
  const window = new RpmWindow();
  const recent: unknown[] = [];
  const recordBody = (body: unknown): void => {
    recent.push(body);
    if (recent.length > 50) recent.shift();
  };
  let seq = 0;

  const configure = (patch: unknown): void => {
    const valid = validatePatch(patch);
    if (valid.port !== undefined && valid.port !== options.port) throw new SimConfigError("port cannot be changed at run time");
    options = { ...options, ...valid };
  };

  const authorized = (req: IncomingMessage, o: ResolvedOptions): boolean =>
    o.apiKey === undefined || req.headers.authorization === `Bearer ${o.apiKey}`;

  const rejectUnauthorized = (req: IncomingMessage, res: ServerResponse): void => {
    stats.unauthorized++;
    req.resume();
    sendJson(res, 401, errorBody("Incorrect API key provided. (simulated)", "invalid_request_error", "invalid_api_key"));
  };

  const serveLlm = (req: IncomingMessage, res: ServerResponse, handler: Handler): void => {
    stats.requests++;
    const o = options;
    if (!authorized(req, o)) return rejectUnauthorized(req, res);
    const now = Date.now();
    const id = ++seq;
    const base = { "x-request-id": `req-sim-${id}` };
    const capped = overCap(stats.inFlight, o.maxConcurrency);
    if (capped || !window.tryAcquire(now, o.rpm)) {
      stats.rejected429++;
      req.resume();
      const message = capped
        ? `Rate limit reached: ${o.maxConcurrency} concurrent requests in flight. (simulated)`
        : `Rate limit reached for requests per min (RPM): Limit ${o.rpm}. (simulated)`;
      const headers = { ...base, ...window.headers(now, o.rpm), "retry-after": String(o.retryAfterSeconds) };
      return sendJson(res, 429, errorBody(message, "rate_limit_error", "rate_limit_exceeded"), headers);
    }
    const scope = new RequestScope(res, stats);
    const ctx: LlmContext = { req, res, scope, options: o, headers: { ...base, ...window.headers(now, o.rpm) }, seq: id, recordBody };
    handler(ctx).catch((err: unknown) => {
      if (scope.closed || err instanceof ClientGoneError) return;
      if (err instanceof HttpError) return sendHttpError(res, err, ctx.headers);
      if (err instanceof DirectiveError) return sendHttpError(res, new HttpError(400, err.message), ctx.headers);
      const message = err instanceof Error ? err.message : String(err);
      sendHttpError(res, new HttpError(500, `simulator bug: ${message}`, { type: "server_error" }), ctx.headers);
    });
  };

  const postConfig = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      configure(await readJson(req));
      sendJson(res, 200, options);
    } catch (err) {
      if (err instanceof HttpError) return sendHttpError(res, err);
      if (err instanceof SimConfigError) return sendHttpError(res, new HttpError(400, err.message));
      if (!(err instanceof ClientGoneError)) sendHttpError(res, new HttpError(500, String(err), { type: "server_error" }));
    }
  };

  const route = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? "/", "http://sim").pathname.replace(/\/+$/, "") || "/";
    switch (`${req.method} ${path}`) {
      case "POST /v1/chat/completions":
        return serveLlm(req, res, handleChat);
      case "POST /v1/embeddings":
        return serveLlm(req, res, handleEmbeddings);
      case "GET /v1/models":
        if (!authorized(req, options)) return rejectUnauthorized(req, res);
        return sendJson(res, 200, modelList());
      case "GET /sim/stats":
        return sendJson(res, 200, { ...stats });
      case "GET /sim/requests":
        return sendJson(res, 200, { data: recent });
      case "POST /sim/reset":
        req.resume();
        resetStats(stats);
        window.clear();
        recent.length = 0;
        return sendJson(res, 200, { ...stats });
      case "GET /sim/config":
        return sendJson(res, 200, options);
      case "POST /sim/config":
        void postConfig(req, res);
        return;
      case "GET /health":
        return sendJson(res, 200, { status: "ok" });
      default:
        req.resume();
        return sendJson(res, 404, errorBody(`Unknown request URL: ${req.method} ${path}.`));
    }
  };

  const server = createServer(route);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  options = { ...options, port };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => ({ ...stats }),
    requests: () => [...recent],
    reset: () => {
      resetStats(stats);
      window.clear();
      recent.length = 0;
    },
    configure,
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
