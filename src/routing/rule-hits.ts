/** Counts a routing rule's hits (seed 003's router metrics), off the hot path. */
import { eq, sql } from "drizzle-orm";
import { database } from "../db/client.ts";
import { routerRules } from "../db/schema.ts";
import type { Bindings } from "../env.ts";

export async function recordRuleHit(env: Bindings, ruleId: string, now = Date.now()): Promise<void> {
  await database(env.DB)
    .update(routerRules)
    .set({ hits: sql`${routerRules.hits} + 1`, lastHitAt: now })
    .where(eq(routerRules.id, ruleId))
    .run()
    .catch((e) => console.error("rule hit not counted", ruleId, e));
}
