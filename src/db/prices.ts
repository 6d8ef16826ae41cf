/** Admins' model prices (USD per million tokens). */
import { eq } from "drizzle-orm";
import type { Price } from "../pricing/price.ts";
import type { Database } from "./client.ts";
import { modelPrices } from "./schema.ts";

export async function listModelPrices(db: Database) {
  return db.select().from(modelPrices).all();
}

export async function putModelPrice(db: Database, model: string, price: Price, now: number): Promise<void> {
  const values = { input: price.input, output: price.output, cachedInput: price.cachedInput ?? null, cacheWrite: price.cacheWrite ?? null, updatedAt: now };
  await db.insert(modelPrices).values({ model, ...values }).onConflictDoUpdate({ target: modelPrices.model, set: values });
}

/** True when there was an admin price to delete. */
export async function deleteModelPrice(db: Database, model: string): Promise<boolean> {
  const gone = await db.delete(modelPrices).where(eq(modelPrices.model, model)).returning({ model: modelPrices.model });
  return gone.length > 0;
}
