// Simulator options: the public option type, their defaults, and validation of option patches.
import type { Fault } from "./directives.ts";
import { FAULTS } from "./directives.ts";
import { keyLabel } from "./stats.ts";

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
   * When set (or `apiKeys` is), requests must carry a valid key, else 401: `Authorization: Bearer <apiKey>`
   * (OpenAI; a valid POST /auth token also passes), `api-key` (Azure), `x-api-key` (Anthropic),
   * `x-goog-api-key` or `?key=` (Gemini: 403 missing, 400 wrong). Default unset.
   */
  apiKey?: string;
  /**
   * Further valid API keys, accepted like `apiKey` in every format. Setting it (even to `[]`) turns
   * authentication on; a key dropped from the list at run time is then refused as a wrong key is (a revoked
   * key). A patch replaces the whole list; `null` removes it. Default unset.
   */
  apiKeys?: string[];
  /**
   * A fault for every LLM request authenticated with a key (full key → fault kind of `[sim:fault=KIND]`),
   * in every format, as if the prompt carried the directive; a directive in the prompt still wins. A patch
   * replaces the whole map (`{}` clears it). Keys need not be valid: with authentication off, the key a
   * request presents still selects its fault. Default `{}`.
   */
  keyFaults?: Record<string, Fault>;
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

/** Options with every default applied; `apiKey` and `apiKeys` both undefined means no authentication. */
export interface ResolvedOptions {
  port: number;
  maxConcurrency: number;
  rpm: number;
  ttftMs: number;
  tokensPerSecond: number;
  outputTokens: number;
  apiKey: string | undefined;
  apiKeys: readonly string[] | undefined;
  keyFaults: Readonly<Record<string, Fault>>;
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
  apiKeys: undefined,
  keyFaults: Object.freeze({}),
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
  apiKeys: (v, k) => {
    if (!Array.isArray(v) || !v.every((key) => typeof key === "string" && key !== "")) {
      throw new SimConfigError(`${k} must be an array of non-empty strings or null, got ${JSON.stringify(v)}`);
    }
    return Object.freeze([...v]);
  },
  keyFaults: (v, k) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new SimConfigError(`${k} must be an object of API key → fault kind`);
    const out: [string, Fault][] = [];
    for (const [key, raw] of Object.entries(v)) {
      const fault = typeof raw === "string" ? raw.trim().toLowerCase() : raw;
      if (key === "") throw new SimConfigError(`${k} cannot have an empty key`);
      // Named by its label, as in stats: the full key stays out of error messages and logs.
      if (!(FAULTS as readonly unknown[]).includes(fault)) {
        throw new SimConfigError(`${k}["${keyLabel(key)}"] must be one of ${FAULTS.join(", ")}, got ${JSON.stringify(raw)}`);
      }
      out.push([key, fault as Fault]);
    }
    // fromEntries defines own properties, so a key such as "__proto__" stays an ordinary entry.
    return Object.freeze(Object.fromEntries(out));
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
 * (so `{"maxConcurrency": null}` removes the cap and `{"apiKey": null, "apiKeys": null}` disables auth).
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

/** The valid API keys of `o` (`apiKey` and `apiKeys`), or undefined when neither is set (no authentication). */
export function validKeys(o: ResolvedOptions): ReadonlySet<string> | undefined {
  if (o.apiKey === undefined && o.apiKeys === undefined) return undefined;
  return new Set([...(o.apiKey === undefined ? [] : [o.apiKey]), ...(o.apiKeys ?? [])]);
}

/** The keyFaults entry of `key`, if any. */
export function keyFault(o: ResolvedOptions, key: string): Fault | undefined {
  return Object.hasOwn(o.keyFaults, key) ? o.keyFaults[key] : undefined;
}

/** Applies defaults to user options. @throws SimConfigError on invalid values. */
export function resolveOptions(opts: SimOptions = {}): ResolvedOptions {
  return { ...DEFAULT_OPTIONS, ...validatePatch(opts) };
}
