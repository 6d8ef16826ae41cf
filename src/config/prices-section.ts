/**
 * The `prices` section of a config document: the admins' prices (`PUT /api/prices/{model}`),
 * model name → price in USD per million tokens. Built-in defaults and gateway.yaml's prices are
 * not exported (they come with the code). Merge sets the prices the document names; replace also
 * deletes admin prices it does not name.
 */
import { eq } from "drizzle-orm";
import { modelPrices } from "../db/schema.ts";
import { priceOf, priceTable, priceView } from "../pricing/price-input.ts";
import type { Price } from "../pricing/price.ts";
import { configSection, sameValue, type ConfigChange } from "./section.ts";

/** A stored price as the document writes it (no nulls: an absent cache price is the input price). */
function written(price: Price) {
  const v = priceView(price);
  return { input: v.input, output: v.output, ...(v.cached_input !== null ? { cached_input: v.cached_input } : {}), ...(v.cache_write !== null ? { cache_write: v.cache_write } : {}) };
}

const rowPrice = (r: typeof modelPrices.$inferSelect): Price => ({ input: r.input, output: r.output, cachedInput: r.cachedInput ?? undefined, cacheWrite: r.cacheWrite ?? undefined });

export const pricesSection = configSection({
  key: "prices",
  schema: priceTable,
  async read(_env, db) {
    const rows = await db.select().from(modelPrices).all();
    return Object.fromEntries(rows.sort((a, b) => a.model.localeCompare(b.model)).map((r) => [r.model, written(rowPrice(r))]));
  },
  async plan({ db, mode }, table) {
    const stored = new Map((await db.select().from(modelPrices).all()).map((r) => [r.model, rowPrice(r)]));
    const changes: ConfigChange[] = [];
    const statements = [];
    const now = Date.now();
    for (const [model, input] of Object.entries(table)) {
      const price = priceOf(input);
      const before = stored.get(model);
      if (before && sameValue(written(before), written(price))) {
        changes.push({ section: "prices", name: model, action: "unchanged" });
        continue;
      }
      changes.push({ section: "prices", name: model, action: before ? "update" : "create" });
      const values = { input: price.input, output: price.output, cachedInput: price.cachedInput ?? null, cacheWrite: price.cacheWrite ?? null, updatedAt: now };
      statements.push(db.insert(modelPrices).values({ model, ...values }).onConflictDoUpdate({ target: modelPrices.model, set: values }));
    }
    if (mode === "replace") {
      for (const model of stored.keys()) {
        if (model in table) continue;
        changes.push({ section: "prices", name: model, action: "delete" });
        statements.push(db.delete(modelPrices).where(eq(modelPrices.model, model)));
      }
    }
    return { changes, statements };
  },
});
