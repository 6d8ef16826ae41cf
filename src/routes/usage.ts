/**
 * Usage and cost (seed 003's `/api/v1/cost/*`) and `/api/stats`, read from the daily rollups.
 * Admins see everyone's (or one user's with `user_id`); others their own. Days are in the usage
 * time zone (USAGE_UTC_OFFSET_MINUTES).
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { GatewayError } from "../core/errors.ts";
import { parseInput } from "../core/validate.ts";
import { database } from "../db/client.ts";
import { rollupRows, usernames, type UsageScope } from "../db/usage.ts";
import { settings, type AppEnv } from "../env.ts";
import { addDays, dayOf, monthOf } from "../usage/day.ts";
import { costView, groupBy, statsView, total, type Rollup } from "../usage/summarize.ts";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a day is written YYYY-MM-DD").refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "not a real day");

/** `since`/`until` (days, both included) or `days` back from today; `user_id` for admins. */
export const usageQuery = z
  .strictObject({
    since: day.optional(),
    until: day.optional(),
    days: z.coerce.number().int().min(1).max(366).optional(),
    user_id: z.string().min(1).optional(),
  })
  .refine((q) => !(q.days && q.since), { message: "send days or since, not both", path: ["days"] });

type Period = "month" | number;

/** The rows the caller may see for the query, with the period it resolved to. */
async function scoped(c: Context<AppEnv>, fallback: Period): Promise<{ scope: UsageScope; rows: Rollup[] }> {
  const q = parseInput(usageQuery, c.req.query());
  const offset = settings(c.env).USAGE_UTC_OFFSET_MINUTES;
  const today = dayOf(Date.now(), offset);
  const until = q.until ?? today;
  const since = q.since ?? (q.days ? addDays(until, 1 - q.days) : fallback === "month" ? `${monthOf(Date.now(), offset)}-01` : addDays(until, 1 - fallback));
  if (since > until) throw new GatewayError("invalid_request", "since is after until", { param: "since", code: "invalid_value" });
  if (addDays(since, 366) <= until) throw new GatewayError("invalid_request", "ask for at most 366 days at once", { param: "since", code: "invalid_value" });
  const principal = c.get("principal");
  if (q.user_id && principal.role !== "admin" && q.user_id !== principal.ownerId) throw new GatewayError("forbidden", "only admins may see other users' usage", { param: "user_id", code: "admin_only" });
  const scope = { since, until, ownerId: principal.role === "admin" ? q.user_id : principal.ownerId };
  return { scope, rows: await rollupRows(database(c.env.DB), scope) };
}

const period = (s: UsageScope) => ({ since: s.since, until: s.until, user_id: s.ownerId ?? null, currency: "USD" });

export const costRoutes = new Hono<AppEnv>()
  .get("/current", async (c) => {
    const { scope, rows } = await scoped(c, "month");
    const today = dayOf(Date.now(), settings(c.env).USAGE_UTC_OFFSET_MINUTES);
    return c.json({ object: "cost.current", ...period(scope), today: { date: today, ...costView(total(rows.filter((r) => r.day === today))) }, month: { month: today.slice(0, 7), ...costView(total(rows.filter((r) => r.day.slice(0, 7) === today.slice(0, 7)))) } });
  })
  .get("/daily", async (c) => {
    const { scope, rows } = await scoped(c, 30);
    const byDay = new Map(groupBy(rows, (r) => r.day));
    const data = [];
    for (let d = scope.since; d <= scope.until; d = addDays(d, 1)) data.push({ date: d, ...costView(byDay.get(d) ?? total([])) });
    return c.json({ object: "list", ...period(scope), data });
  })
  .get("/summary", async (c) => {
    const { scope, rows } = await scoped(c, "month");
    const all = total(rows);
    return c.json({
      object: "cost.summary",
      ...period(scope),
      ...costView(all),
      average_cost_per_request_usd: all.requests === 0 ? null : Math.round((all.costUsd / all.requests) * 1e8) / 1e8,
      by_lane: groupBy(rows, (r) => r.lane).map(([lane, t]) => ({ lane: lane || null, ...costView(t) })),
    });
  })
  .get("/by-model", async (c) => {
    const { scope, rows } = await scoped(c, "month");
    const all = total(rows).costUsd;
    const data = groupBy(rows, (r) => r.model).map(([model, t]) => ({ model: model || null, ...costView(t), share: all > 0 ? Math.round((t.costUsd / all) * 10_000) / 10_000 : null }));
    return c.json({ object: "list", ...period(scope), data });
  })
  .get("/by-user", async (c) => {
    const { scope, rows } = await scoped(c, "month");
    const groups = groupBy(rows, (r) => r.ownerId);
    const names = await usernames(database(c.env.DB), groups.map(([id]) => id));
    return c.json({ object: "list", ...period(scope), data: groups.map(([id, t]) => ({ user_id: id, username: names.get(id) ?? null, ...costView(t) })) });
  });

export const statsRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const { scope, rows } = await scoped(c, 7);
  const by = (keyOf: (r: Rollup) => string, name: string) => groupBy(rows, keyOf).map(([k, t]) => ({ [name]: k || null, ...statsView(t) }));
  const byDay = new Map(groupBy(rows, (r) => r.day));
  const days = [];
  for (let d = scope.since; d <= scope.until; d = addDays(d, 1)) days.push({ date: d, ...statsView(byDay.get(d) ?? total([])) });
  return c.json({
    object: "stats",
    ...period(scope),
    totals: statsView(total(rows)),
    by_provider: by((r) => r.provider, "provider"),
    by_model: by((r) => r.model, "model"),
    by_lane: by((r) => r.lane, "lane"),
    by_day: days,
  });
});
