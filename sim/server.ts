// startSimulator: the upstream simulator's HTTP server (OpenAI, Anthropic and Gemini formats), routing, auth and admission control.
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { anthropic } from "./anthropic.ts";
import { handleCountTokens, handleMessages } from "./anthropic-messages.ts";
import { handleChat } from "./chat.ts";
import type { ResolvedOptions, SimOptions } from "./config.ts";
import { keyFault, resolveOptions, SimConfigError, validatePatch, validKeys } from "./config.ts";
import type { LlmContext } from "./context.ts";
import type { Caller, Dialect } from "./dialect.ts";
import { DirectiveError } from "./directives.ts";
import { handleEmbeddings } from "./embeddings.ts";
import { gemini } from "./gemini.ts";
import { handleGenerate } from "./gemini-generate.ts";
import { ClientGoneError, errorBody, HttpError, readJson, sendHttpError, sendJson } from "./http.ts";
import { overCap, RpmWindow } from "./limits.ts";
import { modelList } from "./models.ts";
import { azure, AZURE_PATH } from "./azure.ts";
import { openai } from "./openai.ts";
import { RequestScope } from "./scope.ts";
import type { SimStats } from "./stats.ts";
import { callerLabel, emptyStats, keyStats, resetStats, snapshotStats } from "./stats.ts";
import { handleAuth } from "./token-auth.ts";
import { TokenStore } from "./tokens.ts";

export type { SimOptions } from "./config.ts";
export type { KeyStats, SimStats } from "./stats.ts";
export { keyLabel } from "./stats.ts";

/** A running simulator. */
export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:PORT (append /v1 for an OpenAI client). */
  url: string;
  port: number;
  /** Snapshot of the counters (byKey included). */
  stats(): SimStats;
  /** The most recent chat request bodies, oldest first (at most 50). */
  requests(): unknown[];
  /** Zeroes the counters (incl. maxInFlight) and forgets the RPM window and recent requests (issued tokens stay). */
  reset(): void;
  /** Expires every token issued by POST /auth now; returns how many were still valid. */
  expireTokens(): number;
  /** Changes options for requests arriving from now on. @throws SimConfigError (also when changing port). */
  configure(patch: Partial<SimOptions>): void;
  /** Stops listening and drops every open connection. */
  close(): Promise<void>;
}

type Handler = (ctx: LlmContext) => Promise<void>;

/** `/v1beta/models/{model}:generateContent` or `:streamGenerateContent`. */
const GEMINI_PATH = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

/** The dialect whose error shape answers an unknown URL under `path`. */
function dialectOfPath(path: string): Dialect {
  if (path.startsWith("/v1beta/")) return gemini;
  if (path === "/v1/messages" || path.startsWith("/v1/messages/")) return anthropic;
  return openai;
}

/** Starts a simulator on 127.0.0.1. @throws SimConfigError on invalid options. */
export async function startSimulator(opts: SimOptions = {}): Promise<Simulator> {
  let options: ResolvedOptions = resolveOptions(opts);
  /** validKeys(options), kept in step with options. */
  let keys = validKeys(options);
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
    keys = validKeys(options);
  };

  const tokens = new TokenStore();

  /** Sends `dialect`'s credential rejection and returns undefined, or returns the caller of a request that may pass. */
  const authenticate = (req: IncomingMessage, res: ServerResponse, dialect: Dialect): Caller | undefined => {
    const outcome = dialect.authenticate(req, { keys, tokens, now: Date.now() });
    if (!(outcome instanceof HttpError)) return outcome;
    stats.unauthorized++;
    req.resume();
    dialect.sendError(res, outcome);
    return undefined;
  };

  const serveLlm = (req: IncomingMessage, res: ServerResponse, dialect: Dialect, handler: Handler): void => {
    stats.requests++;
    const o = options;
    const caller = authenticate(req, res, dialect);
    if (!caller) return;
    const label = callerLabel(caller);
    const perKey = label === undefined ? undefined : keyStats(stats, label);
    if (perKey) perKey.requests++;
    const refused = dialect.precheck(req);
    if (refused) {
      req.resume();
      return dialect.sendError(res, refused);
    }
    const now = Date.now();
    const id = ++seq;
    const capped = overCap(stats.inFlight, o.maxConcurrency);
    if (capped || !window.tryAcquire(now, o.rpm)) {
      stats.rejected429++;
      req.resume();
      const message = capped
        ? `Rate limit reached: ${o.maxConcurrency} concurrent requests in flight. (simulated)`
        : `Rate limit reached for requests per min (RPM): Limit ${o.rpm}. (simulated)`;
      const headers = { ...dialect.headers(id, window, now, o.rpm), "retry-after": String(o.retryAfterSeconds) };
      return dialect.sendError(res, new HttpError(429, message, { type: "rate_limit_error", code: "rate_limit_exceeded" }), headers);
    }
    const scope = new RequestScope(res, stats, perKey);
    const headers = dialect.headers(id, window, now, o.rpm);
    const fault = caller.kind === "key" ? keyFault(o, caller.key) : undefined;
    const ctx: LlmContext = { req, res, scope, dialect, options: o, headers, keyFault: fault, seq: id, recordBody };
    handler(ctx).catch((err: unknown) => {
      if (scope.closed || err instanceof ClientGoneError) return;
      if (err instanceof HttpError) return dialect.sendError(res, err, ctx.headers);
      if (err instanceof DirectiveError) return dialect.sendError(res, new HttpError(400, err.message), ctx.headers);
      const message = err instanceof Error ? err.message : String(err);
      dialect.sendError(res, new HttpError(500, `simulator bug: ${message}`, { type: "server_error" }), ctx.headers);
    });
  };

  const serveGemini = (req: IncomingMessage, res: ServerResponse, match: RegExpExecArray, url: URL): void => {
    let model: string;
    try {
      model = decodeURIComponent(match[1]!);
    } catch {
      req.resume();
      return gemini.sendError(res, new HttpError(400, `Invalid model name "${match[1]}".`));
    }
    const target = { model, stream: match[2] === "streamGenerateContent", sse: url.searchParams.get("alt") === "sse" };
    serveLlm(req, res, gemini, (ctx) => handleGenerate(ctx, target));
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
    const url = new URL(req.url ?? "/", "http://sim");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const geminiMatch = req.method === "POST" ? GEMINI_PATH.exec(path) : null;
    if (geminiMatch) return serveGemini(req, res, geminiMatch, url);
    const azureMatch = req.method === "POST" ? AZURE_PATH.exec(path) : null;
    if (azureMatch) return serveLlm(req, res, azure, azureMatch[2] === "embeddings" ? handleEmbeddings : handleChat);
    switch (`${req.method} ${path}`) {
      case "POST /v1/chat/completions":
        return serveLlm(req, res, openai, handleChat);
      case "POST /v1/embeddings":
        return serveLlm(req, res, openai, handleEmbeddings);
      case "POST /v1/messages":
        return serveLlm(req, res, anthropic, handleMessages);
      case "POST /v1/messages/count_tokens":
        return serveLlm(req, res, anthropic, handleCountTokens);
      case "GET /v1/models":
        if (!authenticate(req, res, openai)) return;
        return sendJson(res, 200, modelList());
      case "POST /auth":
        void handleAuth(req, res, options, tokens, () => stats.authExchanges++, () => stats.authRefused++);
        return;
      case "POST /sim/expire-tokens":
        req.resume();
        return sendJson(res, 200, { expired: tokens.expireAll(Date.now()) });
      case "GET /sim/stats":
        return sendJson(res, 200, snapshotStats(stats));
      case "GET /sim/requests":
        return sendJson(res, 200, { data: recent });
      case "POST /sim/reset":
        req.resume();
        resetStats(stats);
        window.clear();
        recent.length = 0;
        return sendJson(res, 200, snapshotStats(stats));
      case "GET /sim/config":
        return sendJson(res, 200, options);
      case "POST /sim/config":
        void postConfig(req, res);
        return;
      case "GET /health":
        return sendJson(res, 200, { status: "ok" });
      default: {
        req.resume();
        const dialect = dialectOfPath(path);
        if (dialect === openai) return sendJson(res, 404, errorBody(`Unknown request URL: ${req.method} ${path}.`));
        return dialect.sendError(res, new HttpError(404, dialect === anthropic ? "Not Found" : `Method or model not found: ${req.method} ${path}.`));
      }
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
    stats: () => snapshotStats(stats),
    requests: () => [...recent],
    reset: () => {
      resetStats(stats);
      window.clear();
      recent.length = 0;
    },
    expireTokens: () => tokens.expireAll(Date.now()),
    configure,
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
