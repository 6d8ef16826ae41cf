/** Resolves a requested model for a caller: 404 when nobody serves it, 403 when the key may not use it. */
import type { Caller } from "./call-context.ts";
import { GatewayError } from "../core/errors.ts";
import type { Bindings } from "../env.ts";
import { routeModel, type ModelRoute } from "../providers/registry.ts";

export async function resolveRoute(env: Bindings, caller: Caller, model: string): Promise<ModelRoute> {
  const route = await routeModel(env, model);
  if (!route) throw new GatewayError("not_found", `The model '${model}' does not exist`, { param: "model", code: "model_not_found" });
  if (caller.allowedModels && !caller.allowedModels.includes(model)) {
    throw new GatewayError("forbidden", `this API key may not use the model '${model}'`, { param: "model", code: "model_not_allowed" });
  }
  return route;
}
