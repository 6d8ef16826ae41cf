/**
 * The `routing` section of a config document: the routing document stored with
 * `PUT /api/routing` (default strategy, each model's strategy and aliases, global overrides), `{}`
 * when none is stored. An import replaces the stored one whole, as PUT does; `{}` removes it
 * (gateway.yaml's `routing:` then applies alone).
 */
import { eq } from "drizzle-orm";
import { GatewayError } from "../core/errors.ts";
import { routingSettings } from "../db/schema.ts";
import { normaliseModels, type ProviderDefinition } from "../providers/definition.ts";
import { routeTable } from "../routing/route-table.ts";
import { aliasClash, routingDocument, type RoutingDocument } from "../routing/routing-document.ts";
import { configSection, sameValue } from "./section.ts";

const KEY = "routing";

export const routingSection = configSection({
  key: "routing",
  schema: routingDocument,
  async read(_env, db) {
    const row = await db.select().from(routingSettings).where(eq(routingSettings.key, KEY)).get();
    return (row?.value as RoutingDocument | undefined) ?? {};
  },
  async plan({ env, db, document }, doc) {
    // An alias may not be a model's own name: one served now, or by a provider of this document.
    const imported = new Set(((document.providers as ProviderDefinition[] | undefined) ?? []).flatMap((p) => normaliseModels(p.models).map((m) => m.name)));
    const table = await routeTable(env);
    const clash = aliasClash(doc, (name) => table.shared.has(name) || imported.has(name));
    if (clash) throw new GatewayError("invalid_request", `routing.${clash.param}: ${clash.message}`, { param: `routing.${clash.param}`, code: "invalid_value" });

    const row = await db.select().from(routingSettings).where(eq(routingSettings.key, KEY)).get();
    const empty = Object.keys(doc).length === 0;
    const stored = (row?.value as RoutingDocument | undefined) ?? {};
    if (sameValue(doc, stored)) return { changes: [{ section: "routing", name: "routing", action: "unchanged" }], statements: [] };
    if (empty) return { changes: [{ section: "routing", name: "routing", action: "delete" }], statements: [db.delete(routingSettings).where(eq(routingSettings.key, KEY))] };
    const now = Date.now();
    return {
      changes: [{ section: "routing", name: "routing", action: row ? "update" : "create" }],
      statements: [db.insert(routingSettings).values({ key: KEY, value: doc, updatedAt: now }).onConflictDoUpdate({ target: routingSettings.key, set: { value: doc, updatedAt: now } })],
    };
  },
});
