/**
 * How models are routed, beyond which providers serve them: the default strategy, each model's
 * strategy and aliases, and parameter overrides for every call. Declared under `routing:` in
 * gateway.yaml and replaced at run time with `PUT /api/routing` (stored in D1; D1 wins per field).
 */
import { z } from "zod";
import { parameterOverrides, type ParameterOverrides } from "../core/overrides.ts";
import { STRATEGIES, type Strategy } from "./strategy.ts";

const MODEL_NAME = z.string().min(1).max(200);

const modelRouting = z.strictObject({
  strategy: z.enum(STRATEGIES as [Strategy, ...Strategy[]], { message: `strategy must be one of: ${STRATEGIES.join(", ")}` }).optional(),
  /** Other names the model answers to. */
  aliases: z.array(MODEL_NAME).max(50).optional(),
});

export const routingDocument = z
  .strictObject({
    /** The strategy of a model that names none (default "priority"). */
    strategy: z.enum(STRATEGIES as [Strategy, ...Strategy[]], { message: `strategy must be one of: ${STRATEGIES.join(", ")}` }).optional(),
    models: z.record(MODEL_NAME, modelRouting).optional(),
    /** Overrides for every call, applied before a provider's and a model's own. */
    overrides: parameterOverrides.optional(),
  })
  .superRefine((doc, ctx) => {
    const owner = new Map<string, string>();
    for (const [model, settings] of Object.entries(doc.models ?? {})) {
      for (const alias of settings.aliases ?? []) {
        if (alias === model || doc.models?.[alias]) ctx.addIssue({ code: "custom", path: ["models", model, "aliases"], message: `'${alias}' is a model of its own, not an alias` });
        const first = owner.get(alias);
        if (first && first !== model) ctx.addIssue({ code: "custom", path: ["models", model, "aliases"], message: `'${alias}' is already an alias of '${first}'` });
        owner.set(alias, model);
      }
    }
  });

export type RoutingDocument = z.output<typeof routingDocument>;

/** The first alias that is a served model's own name (it would make that model unreachable), with its field. */
export function aliasClash(doc: RoutingDocument, isModel: (name: string) => boolean): { param: string; message: string } | undefined {
  for (const [model, settings] of Object.entries(doc.models ?? {})) {
    const clash = settings.aliases?.find(isModel);
    if (clash) return { param: `models.${model}.aliases`, message: `'${clash}' is a model of its own and cannot be an alias of '${model}'` };
  }
  return undefined;
}

/** The routing in force: the stored document's fields over the file's. */
export interface Routing {
  strategy: Strategy;
  strategies: Map<string, Strategy>;
  /** alias → model. */
  aliases: Map<string, string>;
  overrides: ParameterOverrides | undefined;
}

/** Merges the file's routing with the stored one (the stored wins per field, and per model). */
export function mergeRouting(file: RoutingDocument | undefined, stored: RoutingDocument | undefined): Routing {
  const models = { ...(file?.models ?? {}), ...(stored?.models ?? {}) };
  const strategies = new Map<string, Strategy>();
  const aliases = new Map<string, string>();
  for (const [model, settings] of Object.entries(models)) {
    if (settings.strategy) strategies.set(model, settings.strategy);
    for (const alias of settings.aliases ?? []) if (!aliases.has(alias)) aliases.set(alias, model);
  }
  return { strategy: stored?.strategy ?? file?.strategy ?? "priority", strategies, aliases, overrides: stored?.overrides ?? file?.overrides };
}
