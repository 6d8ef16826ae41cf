/**
 * The `rules` section of a config document: seed 003's routing rules, each as
 * `POST /api/v1/router/rules` takes it plus its `id`. An import matches a rule by `id`, or by
 * `name` when it gives none (several stored rules of that name: a 400 asking for the id); a
 * rule's hits are counted on and are not part of the document.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { GatewayError } from "../core/errors.ts";
import { routerRules } from "../db/schema.ts";
import { routingRuleInput } from "../routing/rules.ts";
import { configSection, sameValue, type ConfigChange } from "./section.ts";

type RuleRow = typeof routerRules.$inferSelect;

const documentRule = routingRuleInput.extend({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a rule id is 1 to 64 letters, digits, '-' or '_'").optional(),
});

const entryOf = (r: Pick<RuleRow, "id" | "name" | "priority" | "enabled" | "condition" | "action">) => ({ id: r.id, name: r.name, priority: r.priority, enabled: r.enabled, condition: r.condition, action: r.action });

const newRuleId = () => `rule_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;

const refuse = (param: string, message: string) => new GatewayError("invalid_request", `${param}: ${message}`, { param, code: "invalid_value" });

export const rulesSection = configSection({
  key: "rules",
  schema: z.array(documentRule).max(1000),
  async read(_env, db) {
    const rows = await db.select().from(routerRules).orderBy(routerRules.priority, routerRules.id).all();
    return rows.map(entryOf) as z.input<typeof documentRule>[];
  },
  async plan({ db, mode }, rules) {
    const stored = await db.select().from(routerRules).all();
    const matchedBy = new Map<string, number>();
    const changes: ConfigChange[] = [];
    const statements = [];
    const now = Date.now();
    for (const [i, rule] of rules.entries()) {
      const at = `rules.${i}`;
      if (rule.id !== undefined && rules.findIndex((r) => r.id === rule.id) !== i) throw refuse(`${at}.id`, `'${rule.id}' is given twice`);
      const named = rule.id === undefined ? stored.filter((r) => r.name === rule.name) : [];
      if (named.length > 1) throw refuse(`${at}.name`, `${named.length} rules are named '${rule.name}': give this one's id`);
      const match = rule.id !== undefined ? stored.find((r) => r.id === rule.id) : named[0];
      const fields = { name: rule.name, priority: rule.priority, enabled: rule.enabled, condition: rule.condition, action: rule.action };
      if (!match) {
        const id = rule.id ?? newRuleId();
        statements.push(db.insert(routerRules).values({ id, ...fields, hits: 0, lastHitAt: null, createdAt: now }));
        changes.push({ section: "rules", name: rule.name, id, action: "create" });
        continue;
      }
      const first = matchedBy.get(match.id);
      if (first !== undefined) throw refuse(at, `names the same rule as rules.${first}`);
      matchedBy.set(match.id, i);
      const same = sameValue(entryOf({ id: match.id, ...fields }), entryOf(match));
      if (!same) statements.push(db.update(routerRules).set(fields).where(eq(routerRules.id, match.id)));
      changes.push({ section: "rules", name: rule.name, id: match.id, action: same ? "unchanged" : "update" });
    }
    if (mode === "replace") {
      for (const r of stored) {
        if (matchedBy.has(r.id)) continue;
        statements.push(db.delete(routerRules).where(eq(routerRules.id, r.id)));
        changes.push({ section: "rules", name: r.name, id: r.id, action: "delete" });
      }
    }
    return { changes, statements };
  },
});
