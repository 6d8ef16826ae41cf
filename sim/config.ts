// Simulator options: the public option type, their defaults, and validation of option patches.

/** Options accepted by startSimulator, Simulator.configure() and POST /sim/config. */
export interface SimOptions {
  /** Listening port; 0 picks a random free port (default 0). The host is always 127.0.0.1. */
  port?: number;
  /** Hard cap on in-flight LLM requests; a request arriving while inFlight >= cap gets 429 (default Infinity). */
  maxConcurrency?: number;
  /** Requests admitted per rolling 60 s window; past it 429 (default Infinity). */
  rpm?: number;
  /** Time to first token in milliseconds (default 20). */
  ttftMs?: number;
  /** Output speed in tokens per second; Infinity means no pacing (default 200). */
  tokensPerSecond?: number;
  /** Completion length in tokens when the request sets no max_tokens (default 8). */
  outputTokens?: number;
  /**
   * When set, requests must carry it, else 401: `Authorization: Bearer <apiKey>` (OpenAI; a valid POST /auth
   * token also passes), `x-api-key` (Anthropic), `x-goog-api-key` or `?key=` (Gemini: 403 missing, 400 wrong).
   * Default unset.
   */
  apiKey?: string;
  /** Value of the Retry-After header on 429 responses, in seconds (default 1). */
  retryAfterSeconds?: number;
  /** Lifetime of a token issued by POST /auth, in milliseconds (default 60000). */
  tokenTtlMs?: number;
  /** Where POST /auth puts the token in its JSON answer, a dotted path such as "data.access_token" (default "token"). */
  tokenField?: string;
  /** Username POST /auth accepts (default "sim-user"). */
  authUsername?: string;
  /** Password POST /auth accepts (default "sim-pass"). */
  authPassword?: string;
}

/** Options with every default applied; `apiKey` undefined means no authentication. */
export interface ResolvedOptions {
  port: number;
  maxConcurrency: number;
  rpm: number;
  ttftMs: number;
  tokensPerSecond: number;
  outputTokens: number;
  apiKey: string | undefined;
  retryAfterSeconds: number;
  tokenTtlMs: number;
  tokenField: string;
  authUsername: string;
  authPassword: string;
}

/** Default values of every option. */
export const DEFAULT_OPTIONS: Readonly<ResolvedOptions> = Object.freeze({
  port: 0,
  maxConcurrency: Infinity,
  rpm: Infinity,
  ttftMs: 20,
  tokensPerSecond: 200,
  outputTokens: 8,
  apiKey: undefined,
  retryAfterSeconds: 1,
  tokenTtlMs: 60_000,
  tokenField: "token",
  authUsername: "sim-user",
  authPassword: "sim-pass",
});

/** Thrown when an option name or value is invalid; the message names the option. */
export class SimConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SimConfigError";
  }
}

type Check = (value: unknown, key: string) => unknown;

const isInfinityWord = (v: unknown): boolean =>
  typeof v === "string" && ["inf", "infinity"].includes(v.trim().toLowerCase());

const number = (min: number, opts: { integer?: boolean; infinite?: boolean; positive?: boolean }): Check =>
  (value, key) => {
    if (opts.infinite && (value === Infinity || isInfinityWord(value))) return Infinity;
    const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    const ok = typeof n === "number" && Number.isFinite(n) && n >= min && (!opts.positive || n > 0)
      && (!opts.integer || Number.isInteger(n));
    if (!ok) {
      const kind = opts.integer ? "an integer" : "a number";
      const bound = opts.positive ? "> 0" : `>= ${min}`;
      throw new SimConfigError(`${key} must be ${kind} ${bound}${opts.infinite ? " or Infinity" : ""}, got ${JSON.stringify(value)}`);
    }
    return n;
  };

const CHECKS: Record<keyof SimOptions, Check> = {
  port: (v, k) => {
    const n = number(0, { integer: true })(v, k) as number;
    if (n > 65535) throw new SimConfigError(`${k} must be <= 65535, got ${n}`);
    return n;
  },
  maxConcurrency: number(0, { integer: true, infinite: true }),
  rpm: number(0, { integer: true, infinite: true }),
  ttftMs: number(0, {}),
  tokensPerSecond: number(0, { positive: true, infinite: true }),
  outputTokens: number(0, { integer: true }),
  apiKey: (v, k) => {
    if (typeof v !== "string") throw new SimConfigError(`${k} must be a string or null`);
    return v === "" ? undefined : v;
  },
  retryAfterSeconds: number(0, { integer: true }),
  tokenTtlMs: number(0, { integer: true }),
  tokenField: (v, k) => {
    if (typeof v !== "string" || !/^[^.]+(\.[^.]+)*$/.test(v)) {
      throw new SimConfigError(`${k} must be a dotted path such as "data.access_token", got ${JSON.stringify(v)}`);
    }
    return v;
  },
  authUsername: (v, k) => {
    if (typeof v !== "string") throw new SimConfigError(`${k} must be a string`);
    return v;
  },
  authPassword: (v, k) => {
    if (typeof v !== "string") throw new SimConfigError(`${k} must be a string`);
    return v;
  },
};

/**
 * Validates a partial option object (from code or JSON). `null`/`undefined` restore an option's default
 * (so `{"maxConcurrency": null}` removes the cap and `{"apiKey": null}` disables auth).
 * @throws SimConfigError on an unknown option or an invalid value.
 */
export function validatePatch(patch: unknown): Partial<ResolvedOptions> {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
    throw new SimConfigError("options must be a JSON object");
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (!Object.hasOwn(CHECKS, key)) throw new SimConfigError(`unknown option "${key}"`);
    const name = key as keyof SimOptions;
    out[name] = value === null || value === undefined ? DEFAULT_OPTIONS[name] : CHECKS[name](value, name);
  }
  return out as Partial<ResolvedOptions>;
}

/** Applies defaults to user options. @throws SimConfigError on invalid values. */
export function resolveOptions(opts: SimOptions = {}): ResolvedOptions {
  return { ...DEFAULT_OPTIONS, ...validatePatch(opts) };
}
