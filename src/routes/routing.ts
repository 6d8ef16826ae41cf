/**
 * `/api/routing` (admin): the routing document in force (default strategy, each model's strategy
 * and aliases, global parameter overrides), and `PUT` to replace the stored one. The stored
 * document wins over gateway.yaml's `routing:` field by field (per model for models).
 */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database } from "../db/client.ts";
import { routingSettings } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { configuredRouting } from "../routing/configured.ts";
import { forgetRoutes, routeTable } from "../routing/route-table.ts";
import { aliasClash, routingDocument } from "../routing/routing-document.ts";

export const routingRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const table = await routeTable(c.env);
    const stored = await database(c.env.DB).select().from(routingSettings).where(eq(routingSettings.key, "routing")).get();
    const r = table.routing;
    const models: Record<string, { strategy?: string; aliases?: string[] }> = {};
    for (const [model, strategy] of r.strategies) models[model] = { strategy };
    for (const [alias, model] of r.aliases) models[model] = { ...models[model], aliases: [...(models[model]?.aliases ?? []), alias] };
    return c.json({ object: "routing", strategy: r.strategy, models, overrides: r.overrides ?? null, file: configuredRouting(c.env) ?? null, stored: stored?.value ?? null });
  })
  .put("/", async (c) => {
    const doc = parseInput(routingDocument, await readJson(c.req.raw));
    const table = await routeTable(c.env);
    const clash = aliasClash(doc, (name) => table.shared.has(name));
    if (clash) throw new GatewayError("invalid_request", clash.message, { param: clash.param, code: "invalid_value" });
    const now = Date.now();
    await database(c.env.DB).insert(routingSettings).values({ key: "routing", value: doc, updatedAt: now }).onConflictDoUpdate({ target: routingSettings.key, set: { value: doc, updatedAt: now } });
    forgetRoutes(c.env);
    return c.json({ object: "routing", stored: doc });
  });
