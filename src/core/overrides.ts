/**
 * Parameter overrides: fields set or removed in the body sent upstream, declared globally, per
 * provider and per deployment. Keys are field paths in the upstream's own format, dotted for
 * nesting ("generationConfig.temperature"). Paths that would change what is called or what it is
 * asked (model, messages, contents, system, systemInstruction, stream and anything under them)
 * are refused, as are segments that would reach an object's prototype.
 */
import { z } from "zod";

export interface ParameterOverrides {
  /** Set where the body has no value. */
  defaults?: Record<string, unknown>;
  /** Always set. */
  force?: Record<string, unknown>;
  /** Deleted. */
  remove?: string[];
}

/** First segments an override may not touch. */
export const PROTECTED_FIELDS: readonly string[] = ["model", "messages", "contents", "system", "systemInstruction", "stream"];

const UNSAFE_SEGMENTS = new Set(["__proto__", "prototype", "constructor"]);

const MAX_PATHS = 100;
const MAX_PATH_CHARS = 200;
const MAX_DEPTH = 8;

/** What is wrong with an override path, or undefined. */
export function overridePathProblem(path: string): string | undefined {
  if (path.length === 0 || path.length > MAX_PATH_CHARS) return `a path is 1 to ${MAX_PATH_CHARS} characters`;
  const segments = path.split(".");
  if (segments.some((s) => s === "")) return `'${path}' has an empty segment`;
  if (segments.length > MAX_DEPTH) return `'${path}' is nested deeper than ${MAX_DEPTH}`;
  if (PROTECTED_FIELDS.includes(segments[0]!)) return `'${path}' would change what is called; ${segments[0]} cannot be overridden`;
  if (segments.some((s) => UNSAFE_SEGMENTS.has(s))) return `'${path}' is not allowed`;
  return undefined;
}

const pathList = z.array(z.string()).max(MAX_PATHS).superRefine((paths, ctx) => {
  paths.forEach((path, i) => {
    const problem = overridePathProblem(path);
    if (problem) ctx.addIssue({ code: "custom", path: [i], message: problem });
  });
});

/** Paths are checked here rather than as record keys, so the message names the problem. */
const values = z.record(z.string(), z.unknown()).superRefine((record, ctx) => {
  const paths = Object.keys(record);
  if (paths.length > MAX_PATHS) ctx.addIssue({ code: "custom", message: `at most ${MAX_PATHS} paths` });
  for (const path of paths) {
    const problem = overridePathProblem(path);
    if (problem) ctx.addIssue({ code: "custom", path: [path], message: problem });
  }
});

/** Typed with its input too, so schemas built on it (z.input of a provider definition) keep the shape. */
export const parameterOverrides: z.ZodType<ParameterOverrides, ParameterOverrides> = z.strictObject({
  defaults: values.optional(),
  force: values.optional(),
  remove: pathList.optional(),
});

type Body = Record<string, unknown>;

function isPlainObject(v: unknown): v is Body {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Applies the layers in order (global, then provider, then deployment), each as defaults, then
 * force, then remove: defaults set a path only where the body has none (absent or undefined),
 * force always sets it, remove deletes it. A path through a value that is not an object (a string,
 * an array) is left alone. Returns a new body: the input is not mutated, nested objects are copied
 * on write. Paths the schema would refuse are skipped, so a stored value is safe too.
 */
export function applyOverrides(body: Body, layers: readonly (ParameterOverrides | undefined)[]): Body {
  const root: Body = { ...body };
  const owned = new WeakSet<Body>([root]);

  /** The object holding the path's last segment, copied on write; created when `create`. */
  const parentOf = (segments: string[], create: boolean): Body | undefined => {
    let node = root;
    for (const segment of segments.slice(0, -1)) {
      const child = Object.hasOwn(node, segment) ? node[segment] : undefined;
      let next: Body;
      if (isPlainObject(child)) next = owned.has(child) ? child : { ...child };
      else if (child === undefined && create) next = {};
      else return undefined;
      owned.add(next);
      node[segment] = next;
      node = next;
    }
    return node;
  };

  /** Whether the path is in the body, and its value. */
  const lookup = (segments: string[]): { found: boolean; value?: unknown } => {
    let node: unknown = root;
    for (const segment of segments) {
      if (!isPlainObject(node) || !Object.hasOwn(node, segment)) return { found: false };
      node = node[segment];
    }
    return { found: true, value: node };
  };

  const set = (path: string, value: unknown, onlyIfAbsent: boolean) => {
    if (overridePathProblem(path)) return;
    const segments = path.split(".");
    if (onlyIfAbsent && lookup(segments).value !== undefined) return;
    const parent = parentOf(segments, true);
    if (parent) parent[segments.at(-1)!] = structuredClone(value);
  };

  for (const layer of layers) {
    if (!layer) continue;
    for (const [path, value] of Object.entries(layer.defaults ?? {})) set(path, value, true);
    for (const [path, value] of Object.entries(layer.force ?? {})) set(path, value, false);
    for (const path of layer.remove ?? []) {
      if (overridePathProblem(path)) continue;
      const segments = path.split(".");
      if (!lookup(segments).found) continue;
      const parent = parentOf(segments, false);
      if (parent) delete parent[segments.at(-1)!];
    }
  }
  return root;
}
