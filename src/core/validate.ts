/** Turns zod failures into a 400 that names the offending field, the one way input is checked. */
import type { z } from "zod";
import { GatewayError } from "./errors.ts";

/** Parses `value` with `schema` or throws a 400 GatewayError naming the first bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join(".") || null;
  const message = issue ? `${path ? `${path}: ` : ""}${issue.message}` : "invalid request";
  throw new GatewayError("invalid_request", message, { param: path, code: "invalid_value" });
}

/** Reads a JSON body, answering 400 for a body that is not JSON. */
export async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text.trim()) throw new GatewayError("invalid_request", "request body is empty; expected JSON", { code: "invalid_json" });
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError("invalid_request", "request body is not valid JSON", { code: "invalid_json" });
  }
}
