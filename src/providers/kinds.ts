/**
 * Where a call goes and how it authenticates, per provider type: the OpenAI-compatible services
 * (`{base_url}/chat/completions`, Bearer key), Azure (a deployment URL with `api-version`, an
 * `api-key` header), token-auth (Bearer token from the exchange), Anthropic (`/messages`,
 * `x-api-key` and `anthropic-version`) and Gemini (`/models/{model}:generateContent`,
 * `x-goog-api-key`).
 */
import type { Dialect } from "../core/canonical.ts";
import { GatewayError } from "../core/errors.ts";
import type { Bindings } from "../env.ts";
import { presetOf } from "./presets.ts";
import type { ModelRoute, Provider } from "./provider.ts";
import { tokenFor } from "./token-auth/token.ts";

export interface Endpoint {
  url: string;
  headers: Record<string, string>;
}

const ANTHROPIC_VERSION = "2023-06-01";

export function dialectOf(provider: Provider): Dialect {
  return presetOf(provider.type).dialect;
}

async function authHeaders(env: Bindings, provider: Provider): Promise<Record<string, string>> {
  const key = provider.credential;
  switch (provider.type) {
    case "azure":
      return key ? { "api-key": key } : {};
    case "anthropic":
      return { ...(key ? { "x-api-key": key } : {}), "anthropic-version": provider.options.anthropicVersion ?? ANTHROPIC_VERSION };
    case "gemini":
      return key ? { "x-goog-api-key": key } : {};
    case "token-auth": {
      const token = await tokenFor(env, provider);
      return token ? { authorization: `Bearer ${token}` } : {};
    }
    default:
      return key ? { authorization: `Bearer ${key}` } : {};
  }
}

function azureUrl(route: ModelRoute, operation: "chat/completions" | "embeddings"): string {
  const p = route.provider;
  const deployment = encodeURIComponent(p.options.deployment ?? route.upstreamModel);
  return `${p.baseUrl}/openai/deployments/${deployment}/${operation}?api-version=${encodeURIComponent(p.options.apiVersion ?? "")}`;
}

/** The endpoint of a chat call on `route`. */
export async function chatEndpoint(env: Bindings, route: ModelRoute, stream: boolean): Promise<Endpoint> {
  const p = route.provider;
  const headers = await authHeaders(env, p);
  switch (p.type) {
    case "azure":
      return { url: azureUrl(route, "chat/completions"), headers };
    case "anthropic":
      return { url: `${p.baseUrl}/messages`, headers };
    case "gemini":
      return { url: `${p.baseUrl}/models/${encodeURIComponent(route.upstreamModel)}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`, headers };
    default:
      return { url: `${p.baseUrl}/chat/completions`, headers };
  }
}

/** A provider with no OpenAI-shaped embeddings is a 400, said before a slot is taken. */
export function checkEmbeddings(route: ModelRoute): void {
  const p = route.provider;
  if (dialectOf(p) !== "openai") {
    throw new GatewayError("invalid_request", `the model '${route.model}' is served by a provider of type '${p.type}', which offers no embeddings through this gateway`, { param: "model", code: "unsupported_model_operation" });
  }
}

/** The endpoint of an embeddings call on `route` (see checkEmbeddings). */
export async function embeddingsEndpoint(env: Bindings, route: ModelRoute): Promise<Endpoint> {
  checkEmbeddings(route);
  const p = route.provider;
  const headers = await authHeaders(env, p);
  return { url: p.type === "azure" ? azureUrl(route, "embeddings") : `${p.baseUrl}/embeddings`, headers };
}
