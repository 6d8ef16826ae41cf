// Per-request directives embedded in prompt text: [sim:fault=KIND], [sim:latency=MS], [sim:tokens=N], [sim:tool=NAME].

/**
 * Fault kinds accepted by `[sim:fault=KIND]`. `midstream` fails a stream after a few tokens with the format's
 * in-stream error event (OpenAI/Gemini `data: {"error":…}`, Anthropic `event: error`); unstreamed it acts as 503.
 */
export const FAULTS = ["500", "503", "429", "hang", "reset", "malformed", "cut", "redirect", "html", "midstream"] as const;

/** One of FAULTS. */
export type Fault = (typeof FAULTS)[number];

/** Directives found in a request's text. */
export interface Directives {
  fault?: Fault;
  /** Overrides ttftMs. */
  latencyMs?: number;
  /** Overrides the output length (still capped by max_tokens). */
  tokens?: number;
  /** Tools the answer calls, in order (`[sim:tool=NAME]`, repeatable for parallel calls). */
  tools?: string[];
}

/** Thrown for an unknown directive or an invalid value (maps to a 400). */
export class DirectiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DirectiveError";
  }
}

const PATTERN = /\[sim:([A-Za-z_-]+)=([^\]]*)\]/g;

function nonNegativeInt(name: string, raw: string): number {
  const value = raw.trim();
  if (!/^\d+$/.test(value)) throw new DirectiveError(`[sim:${name}=…] needs a non-negative integer, got "${raw}"`);
  return Number(value);
}

/**
 * Parses every `[sim:key=value]` directive in `text`; later directives override earlier ones, except
 * `tool`, which accumulates (tool names keep their case).
 * @throws DirectiveError on an unknown key or value.
 */
export function parseDirectives(text: string): Directives {
  const out: Directives = {};
  for (const [, rawKey, raw] of text.matchAll(PATTERN)) {
    const key = rawKey!.toLowerCase();
    const value = raw!.trim().toLowerCase();
    if (key === "fault") {
      if (!(FAULTS as readonly string[]).includes(value)) {
        throw new DirectiveError(`unknown sim fault "${raw}" (expected one of ${FAULTS.join(", ")})`);
      }
      out.fault = value as Fault;
    } else if (key === "latency") {
      out.latencyMs = nonNegativeInt(key, raw!);
    } else if (key === "tokens") {
      out.tokens = nonNegativeInt(key, raw!);
    } else if (key === "tool") {
      const name = raw!.trim();
      if (name === "") throw new DirectiveError("[sim:tool=…] needs a tool name");
      (out.tools ??= []).push(name);
    } else {
      throw new DirectiveError(`unknown sim directive "${rawKey}" (expected fault, latency, tokens or tool)`);
    }
  }
  return out;
}
