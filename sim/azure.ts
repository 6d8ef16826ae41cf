// The Azure OpenAI dialect: OpenAI's bodies and errors, deployment URLs with ?api-version=, and an `api-key` header.
import type { IncomingMessage } from "node:http";
import type { AuthEnv, Caller, Dialect } from "./dialect.ts";
import { acceptKey } from "./dialect.ts";
import { HttpError } from "./http.ts";
import { openai } from "./openai.ts";

/** `/openai/deployments/{deployment}/chat/completions` or `/embeddings`. */
export const AZURE_PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;

function authenticate(req: IncomingMessage, env: AuthEnv): HttpError | Caller {
  const header = req.headers["api-key"];
  const caller = acceptKey(typeof header === "string" && header !== "" ? header : undefined, env);
  return caller ?? new HttpError(401, "Access denied due to invalid subscription key or wrong API endpoint. (simulated)", { code: "401" });
}

function precheck(req: IncomingMessage): HttpError | undefined {
  const version = new URL(req.url ?? "/", "http://sim").searchParams.get("api-version");
  return version ? undefined : new HttpError(404, "Resource not found (api-version is missing). (simulated)", { code: "404" });
}

export const azure: Dialect = { ...openai, name: "azure", authenticate, precheck };
