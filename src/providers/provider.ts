/** A provider ready to call, and where one call goes: the types every adapter works with. */
import type { ProviderOptions } from "./definition.ts";
import type { ProviderType } from "./presets.ts";

/** Where a provider is declared: configuration, the admin API, a user's own (seed 000), or a registered backend (seed 002). */
export type ProviderSource = "gateway.yaml" | "PROVIDERS" | "admin" | "user" | "backend";

/** A provider with one of its keys resolved (never serialised into a response). */
export interface Provider {
  name: string;
  type: ProviderType;
  baseUrl: string;
  /** The key to call with, or token-auth's fixed token or password; undefined when none is configured. */
  credential: string | undefined;
  options: ProviderOptions;
  limits: { maxConcurrency: number; rpm?: number | undefined; tpm?: number | undefined; breaker?: { enabled?: boolean | undefined; failures?: number | undefined; failureRatio?: number | undefined; cooldownMs?: number | undefined } | undefined };
  source: ProviderSource;
  /** A stored key that references a secret that is no longer set. */
  keyMissing?: boolean;
}

/** Where one call goes: a provider with the key to use, the upstream model, and the public name it answers under. */
export interface ModelRoute {
  /** The public model name. */
  model: string;
  upstreamModel: string;
  /** The model's output cap, when configured. */
  maxTokens?: number | undefined;
  provider: Provider;
}
