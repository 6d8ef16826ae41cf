/**
 * Built-in list prices in USD per million tokens, for the common models of every preset: what a
 * fresh gateway prices calls with until an admin (PUT /api/prices/{model}) or gateway.yaml
 * (`prices:`) says otherwise. Taken from the providers' public price pages as of 2025 (for the
 * Chinese providers, their international USD prices); prices change, so check yours and override.
 * A name also prices its dated and suffixed versions (`gpt-4o` prices `gpt-4o-2024-08-06`), the
 * longest matching name winning. Local models (Ollama, vLLM) have no price: their calls are unpriced.
 */
import type { Price } from "./price.ts";

const p = (input: number, output: number, cachedInput?: number, cacheWrite?: number): Price => ({ input, output, ...(cachedInput !== undefined ? { cachedInput } : {}), ...(cacheWrite !== undefined ? { cacheWrite } : {}) });

export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  // OpenAI (and Azure OpenAI deployments named after their model)
  "gpt-5": p(1.25, 10, 0.125),
  "gpt-5-mini": p(0.25, 2, 0.025),
  "gpt-5-nano": p(0.05, 0.4, 0.005),
  "gpt-4.1": p(2, 8, 0.5),
  "gpt-4.1-mini": p(0.4, 1.6, 0.1),
  "gpt-4.1-nano": p(0.1, 0.4, 0.025),
  "gpt-4o": p(2.5, 10, 1.25),
  "gpt-4o-mini": p(0.15, 0.6, 0.075),
  o3: p(2, 8, 0.5),
  "o3-mini": p(1.1, 4.4, 0.55),
  "o4-mini": p(1.1, 4.4, 0.275),
  "text-embedding-3-small": p(0.02, 0),
  "text-embedding-3-large": p(0.13, 0),
  // Anthropic (cache reads 0.1×, cache writes 1.25× the input price)
  "claude-opus-4": p(15, 75, 1.5, 18.75),
  "claude-opus-4-1": p(15, 75, 1.5, 18.75),
  "claude-sonnet-4": p(3, 15, 0.3, 3.75),
  "claude-sonnet-4-5": p(3, 15, 0.3, 3.75),
  "claude-3-7-sonnet": p(3, 15, 0.3, 3.75),
  "claude-haiku-4-5": p(1, 5, 0.1, 1.25),
  "claude-3-5-haiku": p(0.8, 4, 0.08, 1),
  // Google Gemini (prompts up to 200k tokens)
  "gemini-2.5-pro": p(1.25, 10, 0.31),
  "gemini-2.5-flash": p(0.3, 2.5, 0.075),
  "gemini-2.5-flash-lite": p(0.1, 0.4, 0.025),
  "gemini-2.0-flash": p(0.1, 0.4, 0.025),
  "text-embedding-004": p(0, 0),
  // DeepSeek
  "deepseek-chat": p(0.28, 0.42, 0.028),
  "deepseek-reasoner": p(0.28, 0.42, 0.028),
  // Qwen (Alibaba Cloud Model Studio)
  "qwen-max": p(1.6, 6.4),
  "qwen-plus": p(0.4, 1.2),
  "qwen-turbo": p(0.05, 0.2),
  // Moonshot (Kimi)
  "kimi-k2": p(0.6, 2.5, 0.15),
  "moonshot-v1-8k": p(0.2, 2),
  "moonshot-v1-32k": p(1, 3),
  "moonshot-v1-128k": p(2, 5),
  // Zhipu (GLM)
  "glm-4.5": p(0.6, 2.2, 0.11),
  "glm-4.5-air": p(0.2, 1.1, 0.03),
  "glm-4-plus": p(0.7, 0.7),
  "glm-4-flash": p(0, 0),
  // Doubao (Volcano Engine)
  "doubao-seed-1.6": p(0.11, 1.1),
  "doubao-1.5-pro-32k": p(0.11, 0.28),
  // The bundled simulator's models (npm start, tests): priced so cost shows locally.
  "sim-small": p(1, 2, 0.5),
  "sim-large": p(3, 15, 0.3),
};
