/**
 * Provider types. Six are kinds of upstream with their own URL, auth or dialect (`openai`,
 * `openai-compatible`, `anthropic`, `gemini`, `azure`, `token-auth`); the rest are presets: an
 * OpenAI-compatible service by its default address and the quirks of its API. A new preset is a
 * few lines here.
 */
import type { Dialect } from "../core/canonical.ts";

export interface ProviderPreset {
  /** Which upstream dialect the type speaks. */
  dialect: Dialect;
  /** Default base URL; undefined when `base_url` must be given. */
  baseUrl: string | undefined;
  /** OpenAI dialect: the field the output cap goes in (OpenAI's own API wants `max_completion_tokens`). */
  maxTokensField?: "max_tokens" | "max_completion_tokens";
  /** OpenAI dialect: whether the service takes `top_k` (OpenAI's own does not). */
  acceptsTopK?: boolean;
}

const compatible = (baseUrl: string | undefined, acceptsTopK = false): ProviderPreset => ({ dialect: "openai", baseUrl, maxTokensField: "max_tokens", acceptsTopK });

export const providerPresets = {
  openai: { dialect: "openai", baseUrl: "https://api.openai.com/v1", maxTokensField: "max_completion_tokens", acceptsTopK: false },
  "openai-compatible": compatible(undefined, true),
  anthropic: { dialect: "anthropic", baseUrl: "https://api.anthropic.com/v1" },
  gemini: { dialect: "gemini", baseUrl: "https://generativelanguage.googleapis.com/v1beta" },
  azure: { dialect: "openai", baseUrl: undefined, maxTokensField: "max_completion_tokens", acceptsTopK: false },
  "token-auth": compatible(undefined, true),
  deepseek: compatible("https://api.deepseek.com/v1"),
  qwen: compatible("https://dashscope.aliyuncs.com/compatible-mode/v1", true),
  moonshot: compatible("https://api.moonshot.cn/v1"),
  zhipu: compatible("https://open.bigmodel.cn/api/paas/v4"),
  doubao: compatible("https://ark.cn-beijing.volces.com/api/v3"),
  openrouter: compatible("https://openrouter.ai/api/v1", true),
  groq: compatible("https://api.groq.com/openai/v1"),
  siliconflow: compatible("https://api.siliconflow.cn/v1", true),
  ollama: compatible("http://127.0.0.1:11434/v1", true),
  vllm: compatible("http://127.0.0.1:8000/v1", true),
} as const satisfies Record<string, ProviderPreset>;

export type ProviderType = keyof typeof providerPresets;
export const providerTypes = Object.keys(providerPresets) as [ProviderType, ...ProviderType[]];

export function presetOf(type: ProviderType): ProviderPreset {
  return providerPresets[type];
}
