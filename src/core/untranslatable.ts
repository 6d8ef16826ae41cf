/** The one error for a request field that cannot be carried to the provider a model routes to. */
import { GatewayError } from "./errors.ts";

/** A 400 naming the caller's field: `what` (at `path`) cannot be sent to `target` ("a provider of type 'gemini'"). */
export function untranslatable(path: string, what: string, target: string): GatewayError {
  return new GatewayError("invalid_request", `${path}: ${what} cannot be sent to ${target}; remove it or use a model served by another provider`, {
    param: path,
    code: "untranslatable_parameter",
  });
}
