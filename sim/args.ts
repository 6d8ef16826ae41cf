// Command-line flag parsing for sim/cli.ts.
import { parseArgs } from "node:util";
import type { SimOptions } from "./config.ts";
import { validatePatch } from "./config.ts";

/** Usage text printed by --help and on flag errors. */
export const USAGE = `usage: node --experimental-strip-types sim/cli.ts [flags]
  --port N                 listen port on 127.0.0.1 (default 0 = random)
  --max-concurrency N      in-flight cap, 429 past it (default unlimited)
  --rpm N                  requests per rolling minute, 429 past it (default unlimited)
  --ttft-ms MS             time to first token (default 20)
  --tokens-per-second N    output speed (default 200)
  --output-tokens N        completion length without max_tokens (default 8)
  --api-key KEY            require the key (Bearer / api-key / x-api-key / x-goog-api-key)
  --api-keys K1,K2         further valid keys, comma-separated (also turns authentication on)
  --retry-after-seconds N  Retry-After on 429 (default 1)
  --token-ttl-ms MS        lifetime of a token from POST /auth (default 60000)
  --token-field PATH       where POST /auth puts the token, e.g. data.access_token (default token)
  --auth-username NAME     username POST /auth accepts (default sim-user)
  --auth-password PASS     password POST /auth accepts (default sim-pass)
  -h, --help               show this help
Formats: OpenAI /v1/chat/completions, /v1/embeddings; Anthropic /v1/messages (x-api-key);
Gemini /v1beta/models/M:generateContent, :streamGenerateContent (x-goog-api-key or ?key=).
Per-key faults (keyFaults) have no flag: set them with POST /sim/config, e.g. {"keyFaults":{"K2":"500"}}.`;

/** Thrown for unknown flags or bad values; the CLI exits with status 2. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

const FLAGS: Record<string, keyof SimOptions> = {
  port: "port",
  "max-concurrency": "maxConcurrency",
  rpm: "rpm",
  "ttft-ms": "ttftMs",
  "tokens-per-second": "tokensPerSecond",
  "output-tokens": "outputTokens",
  "api-key": "apiKey",
  "api-keys": "apiKeys",
  "retry-after-seconds": "retryAfterSeconds",
  "token-ttl-ms": "tokenTtlMs",
  "token-field": "tokenField",
  "auth-username": "authUsername",
  "auth-password": "authPassword",
};

/** Options whose flag value is taken as text, not as a number. */
const TEXT_OPTIONS: ReadonlySet<keyof SimOptions> = new Set(["apiKey", "tokenField", "authUsername", "authPassword"]);

/** Options whose flag value is a comma-separated list (entries trimmed; an empty one is refused by validation). */
const LIST_OPTIONS: ReadonlySet<keyof SimOptions> = new Set(["apiKeys"]);

/** A flag's value as validatePatch expects it: a list, text, or a number-like string (blank → NaN, refused). */
function flagValue(key: keyof SimOptions, v: string): unknown {
  if (LIST_OPTIONS.has(key)) return v.split(",").map((item) => item.trim());
  if (TEXT_OPTIONS.has(key)) return v;
  return v.trim() === "" ? NaN : v;
}

/** Parses CLI flags into options. @throws CliError on unknown flags, positionals or invalid values. */
export function parseCliArgs(argv: string[]): { help: boolean; options: SimOptions } {
  let values: Record<string, string | boolean | undefined>;
  try {
    const flagSpec = Object.fromEntries(Object.keys(FLAGS).map((f) => [f, { type: "string" as const }]));
    ({ values } = parseArgs({ args: argv, options: { ...flagSpec, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return { help: true, options: {} };
  const raw: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(FLAGS)) {
    const v = values[flag];
    if (typeof v === "string") raw[key] = flagValue(key, v);
  }
  try {
    return { help: false, options: validatePatch(raw) as SimOptions };
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
}
