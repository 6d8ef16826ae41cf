// POST /v1/embeddings: deterministic 8-dimensional vectors derived from a hash of each input string.
import { deliver } from "./answer.ts";
import type { LlmContext } from "./context.ts";
import { parseDirectives } from "./directives.ts";
import { HttpError, readJson } from "./http.ts";
import { estimateTokens } from "./messages.ts";

/** Dimensions of every simulated embedding. */
export const EMBEDDING_DIMENSIONS = 8;

/** Deterministic unit vector for `text` (FNV-1a seed, xorshift32 stream, L2-normalised). */
export function embeddingVector(text: string): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  let x = h || 1;
  const v: number[] = [];
  for (let i = 0; i < EMBEDDING_DIMENSIONS; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    v.push(x / 0x80000000 - 1);
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((n) => Math.fround(n / norm));
}

/** Little-endian float32 base64 encoding, as OpenAI returns for `encoding_format: "base64"`. */
export function encodeBase64(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString("base64");
}

function parseInputs(body: unknown): { model: string; inputs: string[]; base64: boolean } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "The request body must be a JSON object.");
  }
  const b = body as Record<string, unknown>;
  if (typeof b.model !== "string" || b.model === "") throw new HttpError(400, "you must provide a model parameter", { param: "model" });
  const input = b.input;
  const inputs = typeof input === "string" ? [input] : input;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((s) => typeof s === "string")) {
    throw new HttpError(400, "'input' must be a string or a non-empty array of strings.", { param: "input" });
  }
  if (b.encoding_format !== undefined && b.encoding_format !== "float" && b.encoding_format !== "base64") {
    throw new HttpError(400, "'encoding_format' must be 'float' or 'base64'.", { param: "encoding_format" });
  }
  return { model: b.model, inputs: inputs as string[], base64: b.encoding_format === "base64" };
}

/** Handles an admitted embeddings request; directives are read from the last input string; latency is ttft. */
export async function handleEmbeddings(ctx: LlmContext): Promise<void> {
  const { model, inputs, base64 } = parseInputs(await readJson(ctx.req));
  const directives = parseDirectives(inputs[inputs.length - 1]!);
  const delay = directives.latencyMs ?? ctx.options.ttftMs;
  const promptTokens = inputs.reduce((sum, s) => sum + estimateTokens(s), 0);
  const body = (): object => ({
    object: "list",
    data: inputs.map((s, index) => {
      const vector = embeddingVector(s);
      return { object: "embedding", index, embedding: base64 ? encodeBase64(vector) : vector };
    }),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
  deliver(ctx, directives.fault, { stream: false, ttftMs: delay, latencyMs: delay, body, streamWith: () => {} });
}
