/** Provider types the gateway speaks today: OpenAI-compatible services as configuration of one client. */

/** Default base URL per provider type; all of these speak the OpenAI wire format. */
export const providerPresets = {
  openai: { baseUrl: "https://api.openai.com/v1" },
  "openai-compatible": { baseUrl: undefined },
  deepseek: { baseUrl: "https://api.deepseek.com/v1" },
  qwen: { baseUrl: "https://dashscope.aliyuncs.com/compatible-mode/v1" },
  moonshot: { baseUrl: "https://api.moonshot.cn/v1" },
  zhipu: { baseUrl: "https://open.bigmodel.cn/api/paas/v4" },
  doubao: { baseUrl: "https://ark.cn-beijing.volces.com/api/v3" },
  ollama: { baseUrl: "http://127.0.0.1:11434/v1" },
  vllm: { baseUrl: "http://127.0.0.1:8000/v1" },
} as const satisfies Record<string, { baseUrl: string | undefined }>;

export type ProviderType = keyof typeof providerPresets;
export const providerTypes = Object.keys(providerPresets) as [ProviderType, ...ProviderType[]];
