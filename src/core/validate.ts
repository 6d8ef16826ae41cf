/** Turns zod failures into a 400 that names the offending field, the one way input is checked. */
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { GatewayError } from "./errors.ts";

/** How deeply a JSON body may nest; deeper bodies are refused before anything walks them. */
export const MAX_JSON_DEPTH = 64;

/** Parses `value` with `schema` or throws a 400 GatewayError naming the first bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = specific(result.error.issues[0]);
  if (issue?.code === "unrecognized_keys") {
    const fields = issue.keys.map((k) => [...issue.path.map(String), k].join("."));
    const message = `unknown field${fields.length > 1 ? "s" : ""} ${fields.map((f) => `'${f}'`).join(", ")}: this endpoint does not accept ${fields.length > 1 ? "them" : "it"}`;
    throw new GatewayError("invalid_request", message, { param: fields[0], code: "unknown_field" });
  }
  const path = issue?.path.map(String).join(".") || null;
  const message = issue ? `${path ? `${path}: ` : ""}${issue.message}` : "invalid request";
  throw new GatewayError("invalid_request", message, { param: path, code: "invalid_value" });
}

/**
 * For a union every branch of which failed, the issue of the branch that got furthest (an
 * unknown field inside the object form says more than "expected string").
 */
function specific(issue: z.core.$ZodIssue | undefined): z.core.$ZodIssue | undefined {
  if (issue?.code !== "invalid_union" || issue.errors.length === 0) return issue;
  const branches = issue.errors.map((errs) => specific(errs[0])).filter((i): i is z.core.$ZodIssue => i !== undefined);
  const best = branches.sort((a, b) => b.path.length - a.path.length || Number(a.code === "invalid_type") - Number(b.code === "invalid_type"))[0];
  return best ? { ...best, path: [...issue.path, ...best.path] } : issue;
}

/**
 * The path to the first value nested deeper than `limit` levels, or undefined. Iterative, so a
 * hostile body cannot exhaust the stack; each node keeps a link to its parent, not a copied path.
 */
export function pathTooDeep(value: unknown, limit = MAX_JSON_DEPTH): string[] | undefined {
  interface Node {
    value: unknown;
    depth: number;
    key: string;
    parent: Node | undefined;
  }
  const stack: Node[] = [{ value, depth: 0, key: "", parent: undefined }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.value === null || typeof node.value !== "object") continue;
    if (node.depth >= limit) {
      const path: string[] = [];
      for (let n: Node | undefined = node; n?.parent; n = n.parent) path.unshift(n.key);
      return path;
    }
    for (const [key, child] of Object.entries(node.value)) stack.push({ value: child, depth: node.depth + 1, key, parent: node });
  }
  return undefined;
}

/** Reads a JSON body, answering 400 for a body that is not JSON or nests too deeply. */
export async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text.trim()) throw new GatewayError("invalid_request", "request body is empty; expected JSON", { code: "invalid_json" });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GatewayError("invalid_request", "request body is not valid JSON", { code: "invalid_json" });
  }
  return notTooDeep(value);
}

/** A parsed body, refused with a 400 when it nests too deeply. */
function notTooDeep(value: unknown): unknown {
  const deep = pathTooDeep(value);
  if (deep) {
    // Name the field where the nesting starts, not the thousand keys below it.
    const field = deep.slice(0, 3).join(".");
    throw new GatewayError("invalid_request", `${field} nests more than ${MAX_JSON_DEPTH} levels deep`, { param: field, code: "too_deep" });
  }
  return value;
}

/** Content types read as YAML by `readJsonOrYaml`. */
const YAML_TYPES = ["application/yaml", "text/yaml", "application/x-yaml", "text/x-yaml"];

/** Reads a body as YAML when its content type says so (application/yaml, text/yaml), else as JSON; a bad one is a 400 with its line. */
export async function readJsonOrYaml(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (!YAML_TYPES.includes(type)) return readJson(request);
  // Decoded by hand: workerd warns when .text() reads a type it does not know as text.
  const text = new TextDecoder().decode(await request.arrayBuffer());
  if (!text.trim()) throw new GatewayError("invalid_request", "request body is empty; expected YAML", { code: "invalid_yaml" });
  const lines = new LineCounter();
  // Aliases are capped so a small body cannot expand into a huge value.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const error = doc.errors[0];
  if (error) throw new GatewayError("invalid_request", `request body is not valid YAML: line ${lines.linePos(error.pos[0]).line}: ${error.message}`, { code: "invalid_yaml" });
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new GatewayError("invalid_request", `request body is not valid YAML: ${e instanceof Error ? e.message : String(e)}`, { code: "invalid_yaml" });
  }
  return notTooDeep(value);
}

/**
 * Runs `work`, naming `path` (an item of a batch or document, such as "update.2") in any
 * GatewayError it throws: `param` becomes "update.2.limits", and the message says where.
 */
export async function atPath<T>(path: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    const message = error.param && error.message.startsWith(`${error.param}: `) ? `${path}.${error.message}` : `${path}: ${error.message}`;
    throw new GatewayError(error.kind, message, { param: error.param ? `${path}.${error.param}` : path, code: error.code, headers: { ...error.headers }, ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}) });
  }
}
