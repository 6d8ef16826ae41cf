/**
 * Seed 003's router control (admin): rules (`GET/POST /api/v1/router/rules`, `PATCH/DELETE
 * /api/v1/router/rules/{id}`), their hits (`GET /api/v1/router/metrics`), and the routing switch
 * (`POST /api/v1/router/toggle`, `GET /api/v1/router/status`, `GET /api/v1/router/history`). A
 * toggle takes effect after ROUTER_SWITCH_DELAY_MS and cannot be followed by another within
 * ROUTER_SWITCH_COOLDOWN_MS of taking effect (409, saying when it may).
 */
import { and, desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database, type Database } from "../db/client.ts";
import { routerRules, routerSwitchHistory, routingSettings } from "../db/schema.ts";
import { settings, type AppEnv, type Bindings } from "../env.ts";
import { forgetRoutes } from "../routing/route-table.ts";
import { routingRuleInput } from "../routing/rules.ts";
import { INITIAL_SWITCH, nextToggleAt, settle, toggle, type SwitchState } from "../routing/switch.ts";

type RuleRow = typeof routerRules.$inferSelect;

function ruleView(r: RuleRow) {
  return { id: r.id, object: "routing_rule" as const, name: r.name, priority: r.priority, enabled: r.enabled, condition: r.condition, action: r.action, hits: r.hits, last_hit_at: r.lastHitAt, created_at: r.createdAt };
}

async function mustFindRule(db: Database, id: string): Promise<RuleRow> {
  const row = await db.select().from(routerRules).where(eq(routerRules.id, id)).get();
  if (!row) throw new GatewayError("not_found", `no routing rule '${id}'`, { code: "rule_not_found" });
  return row;
}

/** The stored switch and when it was last written (for a write that must not lose a race). */
async function readSwitch(db: Database): Promise<{ state: SwitchState; updatedAt: number | null }> {
  const row = await db.select().from(routingSettings).where(eq(routingSettings.key, "switch")).get();
  return { state: (row?.value as SwitchState | undefined) ?? INITIAL_SWITCH, updatedAt: row?.updatedAt ?? null };
}

function switchView(env: Bindings, state: SwitchState, now: number) {
  const { ROUTER_SWITCH_DELAY_MS, ROUTER_SWITCH_COOLDOWN_MS } = settings(env);
  const current = settle(state, now).state;
  const next = nextToggleAt(current, now, { delayMs: ROUTER_SWITCH_DELAY_MS, cooldownMs: ROUTER_SWITCH_COOLDOWN_MS });
  return {
    value: current.value,
    pending: current.pending ? { value: current.pending.value, reason: current.pending.reason, requested_by: current.pending.by, requested_at: current.pending.requestedAt, effective_at: current.pending.effectiveAt } : null,
    last_changed_at: current.lastEffectiveAt,
    next_toggle_at: next,
    delay_ms: ROUTER_SWITCH_DELAY_MS,
    cooldown_ms: ROUTER_SWITCH_COOLDOWN_MS,
  };
}

export const toggleRequest = z.strictObject({
  value: z.boolean({ message: "value must be true (rules and strategies on) or false (each model's default deployment)" }),
  reason: z.string().min(1, "reason is required").max(500),
});

// A patch changes only what it names: no defaults fill in what it leaves out.
export const rulePatch = routingRuleInput.extend({ priority: z.number().int(), enabled: z.boolean() }).partial();

export const routerRoutes = new Hono<AppEnv>()
  .get("/rules", async (c) => {
    const rows = await database(c.env.DB).select().from(routerRules).orderBy(routerRules.priority, routerRules.id).all();
    return c.json({ object: "list", data: rows.map(ruleView) });
  })
  .post("/rules", async (c) => {
    const input = parseInput(routingRuleInput, await readJson(c.req.raw));
    const db = database(c.env.DB);
    const row = { id: `rule_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`, ...input, hits: 0, lastHitAt: null, createdAt: Date.now() };
    await db.insert(routerRules).values(row);
    forgetRoutes(c.env);
    return c.json(ruleView(row), 201);
  })
  .patch("/rules/:id", async (c) => {
    const db = database(c.env.DB);
    const current = await mustFindRule(db, c.req.param("id"));
    const patch = parseInput(rulePatch, await readJson(c.req.raw));
    const merged = parseInput(routingRuleInput, { name: current.name, priority: current.priority, enabled: current.enabled, condition: current.condition, action: current.action, ...patch });
    await db.update(routerRules).set(merged).where(eq(routerRules.id, current.id));
    forgetRoutes(c.env);
    return c.json(ruleView({ ...current, ...merged }));
  })
  .delete("/rules/:id", async (c) => {
    const db = database(c.env.DB);
    const current = await mustFindRule(db, c.req.param("id"));
    await db.delete(routerRules).where(eq(routerRules.id, current.id));
    forgetRoutes(c.env);
    return c.json({ id: current.id, object: "routing_rule", deleted: true });
  })
  .get("/metrics", async (c) => {
    const db = database(c.env.DB);
    const [rows, sw] = await Promise.all([db.select().from(routerRules).orderBy(routerRules.priority, routerRules.id).all(), readSwitch(db)]);
    return c.json({
      switch: switchView(c.env, sw.state, Date.now()).value,
      total_hits: rows.reduce((n, r) => n + r.hits, 0),
      rules: rows.map((r) => ({ id: r.id, name: r.name, enabled: r.enabled, hits: r.hits, last_hit_at: r.lastHitAt })),
    });
  })
  .get("/status", async (c) => c.json(switchView(c.env, (await readSwitch(database(c.env.DB))).state, Date.now())))
  .get("/history", async (c) => {
    const rows = await database(c.env.DB).select().from(routerSwitchHistory).orderBy(desc(routerSwitchHistory.requestedAt)).limit(100).all();
    const now = Date.now();
    return c.json({ object: "list", data: rows.map((r) => ({ id: r.id, value: r.value, reason: r.reason, requested_by: r.requestedBy, requested_at: r.requestedAt, effective_at: r.effectiveAt, in_effect: r.effectiveAt <= now })) });
  })
  .post("/toggle", async (c) => {
    const request = parseInput(toggleRequest, await readJson(c.req.raw));
    const db = database(c.env.DB);
    const now = Date.now();
    const { ROUTER_SWITCH_DELAY_MS, ROUTER_SWITCH_COOLDOWN_MS } = settings(c.env);
    const stored = await readSwitch(db);
    const principal = c.get("principal");
    const by = principal.userId ?? principal.keyId ?? principal.via;
    const result = toggle(settle(stored.state, now).state, { ...request, by }, now, { delayMs: ROUTER_SWITCH_DELAY_MS, cooldownMs: ROUTER_SWITCH_COOLDOWN_MS });
    if (!result.ok) {
      const r = result.refusal;
      const message =
        r.reason === "unchanged" ? `the switch is already ${request.value ? "on" : "off"}` : r.reason === "pending" ? `a change is pending until ${new Date(r.until).toISOString()}` : `the switch is cooling down until ${new Date(r.until).toISOString()}`;
      throw new GatewayError("conflict", message, { code: `switch_${r.reason}`, ...(r.reason !== "unchanged" ? { retryAfter: Math.max(1, (r.until - now) / 1000) } : {}) });
    }
    // Written only over the state this toggle read: a toggle racing it loses with a 409.
    const written =
      stored.updatedAt === null
        ? await db.insert(routingSettings).values({ key: "switch", value: result.state, updatedAt: now }).onConflictDoNothing().returning({ key: routingSettings.key })
        : await db.update(routingSettings).set({ value: result.state, updatedAt: now }).where(and(eq(routingSettings.key, "switch"), eq(routingSettings.updatedAt, stored.updatedAt))).returning({ key: routingSettings.key });
    if (written.length === 0) throw new GatewayError("conflict", "another toggle was just made; read the status and try again", { code: "switch_pending" });
    const change = result.change;
    await db.insert(routerSwitchHistory).values({ id: `switch_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`, value: change.value, reason: change.reason, requestedBy: change.by, requestedAt: change.requestedAt, effectiveAt: change.effectiveAt });
    forgetRoutes(c.env);
    return c.json(switchView(c.env, result.state, now), 202);
  });
