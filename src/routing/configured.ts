/**
 * What configuration declares: gateway.yaml (bundled into the Worker) and the PROVIDERS variable
 * (JSON), checked against this environment once per isolate. A refused address or an unset
 * secret is a clear start-up error (ConfigError), never a call sent without a key.
 */
import { z } from "zod";
import gatewayYaml from "../../gateway.yaml";
import { ConfigError } from "../core/errors.ts";
import { settings, type Bindings } from "../env.ts";
import { definitionProblem, providerDefinition, secretReference, type DefinitionContext, type ProviderDefinition } from "../providers/definition.ts";
import type { Price } from "../pricing/price.ts";
import type { ProviderSource } from "../providers/provider.ts";
import { parseGatewayConfig, type GatewayConfig } from "./config-file.ts";
import type { RoutingDocument } from "./routing-document.ts";

export interface ConfiguredProvider {
  definition: ProviderDefinition;
  source: Extract<ProviderSource, "gateway.yaml" | "PROVIDERS">;
}

interface Configuration {
  providers: ConfiguredProvider[];
  apiKeys: string[];
  routing: RoutingDocument | undefined;
}

/** What this environment allows a provider definition: its private-address setting and its secrets. */
export function definitionContext(env: Bindings): DefinitionContext {
  return {
    allowPrivateUpstreams: settings(env).ALLOW_PRIVATE_UPSTREAMS,
    secretIsSet: (name) => typeof env[name] === "string" && env[name] !== "",
  };
}

/** A credential as written ("${NAME}" or plain) resolved against the Worker's secrets; undefined when the secret is not set. */
export function resolveSecret(env: Bindings, value: string | undefined): string | undefined {
  const ref = secretReference(value);
  if (!ref) return value;
  const secret = env[ref];
  return typeof secret === "string" && secret ? secret : undefined;
}

let bundled: GatewayConfig | undefined;

/** gateway.yaml, as bundled into the Worker (parsed once per isolate). */
function bundledConfig(): GatewayConfig {
  bundled ??= parseGatewayConfig(gatewayYaml);
  return bundled;
}

/** Providers from the PROVIDERS variable (JSON). */
function envProviders(env: Bindings): ProviderDefinition[] {
  const raw = env.PROVIDERS?.trim();
  let parsed: unknown = [];
  try {
    parsed = raw ? JSON.parse(raw) : [];
  } catch {
    throw new ConfigError("PROVIDERS is not valid JSON");
  }
  const result = z.array(providerDefinition).safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const what = issue?.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.join(", ")}` : issue?.message;
    throw new ConfigError(`PROVIDERS ${issue?.path.join(".")}: ${what}`);
  }
  return result.data;
}

const cache = new WeakMap<object, Configuration>();

function configuration(env: Bindings): Configuration {
  const hit = cache.get(env);
  if (hit) return hit;
  const context = definitionContext(env);
  const file = bundledConfig();
  const declared: ConfiguredProvider[] = [...file.providers.map((definition) => ({ definition, source: "gateway.yaml" as const })), ...envProviders(env).map((definition) => ({ definition, source: "PROVIDERS" as const }))];
  const seen = new Map<string, ProviderSource>();
  for (const { definition: p, source } of declared) {
    const first = seen.get(p.name);
    if (first) throw new ConfigError(`provider '${p.name}' is declared ${first === source ? `twice in ${source}` : `in both ${first} and ${source}`}`);
    seen.set(p.name, source);
    const problem = definitionProblem(p, context);
    if (problem) throw new ConfigError(`${source} provider '${p.name}': ${problem.message}`);
  }
  const apiKeys = file.apiKeys.map((k, i) => {
    const ref = secretReference(k);
    if (ref && !context.secretIsSet(ref)) throw new ConfigError(`gateway.yaml auth.api_keys.${i} references \${${ref}}, which is not set`);
    return resolveSecret(env, k)!;
  });
  const result = { providers: declared, apiKeys, routing: file.routing };
  cache.set(env, result);
  return result;
}

/** Providers declared in configuration (gateway.yaml and PROVIDERS), checked against this environment. */
export function configuredProviders(env: Bindings): ConfiguredProvider[] {
  return configuration(env).providers;
}

/** Client keys declared in gateway.yaml's `auth.api_keys`, resolved. */
export function configuredApiKeys(env: Bindings): string[] {
  return configuration(env).apiKeys;
}

/** The `prices:` block of gateway.yaml. */
export function configuredPrices(): Record<string, Price> {
  return bundledConfig().prices ?? {};
}

/** The `routing:` block of gateway.yaml. */
export function configuredRouting(env: Bindings): RoutingDocument | undefined {
  return configuration(env).routing;
}
