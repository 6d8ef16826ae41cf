/**
 * Usage and cost (seed 003's `/api/v1/cost/*`) and `/api/stats`, summed from the daily rollups
 * in SQL. Admins see everyone's (or one user's with `user_id`); others their own. Days are in the
 * usage time zone (USAGE_UTC_OFFSET_MINUTES).
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { GatewayError } from "../core/errors.ts";
import { parseInput } from "../core/validate.ts";
import { database } from "../db/client.ts";
import { usageTotals, usernames, type UsageGroup, type UsageScope } from "../db/usage.ts";
import { settings, type AppEnv } from "../env.ts";
import { addDays, dayOf, monthOf } from "../usage/day.ts";
import { costView, emptyTotals, largestFirst, statsView, type Totals } from "../usage/summarize.ts";

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

/** The scope the caller may see for the query (the period it resolves to), and its totals per grouping asked. */
async function usage<G extends UsageGroup>(c: Context<AppEnv>, fallback: Period, groups: readonly G[]): Promise<{ scope: UsageScope; totals: Record<G, [string, Totals][]> }> {
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
  return { scope, totals: await usageTotals(database(c.env.DB), scope, groups) };
}

const period = (s: UsageScope) => ({ since: s.since, until: s.until, user_id: s.ownerId ?? null, currency: "USD" });
const only = (groups: [string, Totals][]) => groups[0]?.[1] ?? emptyTotals();

/** One entry per day of the scope, days without calls included. */
function everyDay<T>(scope: UsageScope, byDay: [string, Totals][], view: (t: Totals) => T): ({ date: string } & T)[] {
  const found = new Map(byDay);
  const days = [];
  for (let d = scope.since; d <= scope.until; d = addDays(d, 1)) days.push({ date: d, ...view(found.get(d) ?? emptyTotals()) });
  return days;
}

export const costRoutes = new Hono<AppEnv>()
  .get("/current", async (c) => {
    const { scope, totals } = await usage(c, "month", ["day", "all"]);
    const today = dayOf(Date.now(), settings(c.env).USAGE_UTC_OFFSET_MINUTES);
    const todays = totals.day.find(([d]) => d === today)?.[1] ?? emptyTotals();
    return c.json({ object: "cost.current", ...period(scope), today: { date: today, ...costView(todays) }, month: { month: today.slice(0, 7), ...costView(only(totals.all)) } });
  })
  .get("/daily", async (c) => {
    const { scope, totals } = await usage(c, 30, ["day"]);
    return c.json({ object: "list", ...period(scope), data: everyDay(scope, totals.day, costView) });
  })
  .get("/summary", async (c) => {
    const { scope, totals } = await usage(c, "month", ["all", "lane"]);
    const all = only(totals.all);
    return c.json({
      object: "cost.summary",
      ...period(scope),
      ...costView(all),
      average_cost_per_request_usd: all.requests === 0 ? null : Math.round((all.costUsd / all.requests) * 1e8) / 1e8,
      by_lane: largestFirst(totals.lane).map(([lane, t]) => ({ lane: lane || null, ...costView(t) })),
    });
  })
  .get("/by-model", async (c) => {
    const { scope, totals } = await usage(c, "month", ["all", "model"]);
    const all = only(totals.all).costUsd;
    const data = largestFirst(totals.model).map(([model, t]) => ({ model: model || null, ...costView(t), share: all > 0 ? Math.round((t.costUsd / all) * 10_000) / 10_000 : null }));
    return c.json({ object: "list", ...period(scope), data });
  })
  .get("/by-user", async (c) => {
    const { scope, totals } = await usage(c, "month", ["owner"]);
    const groups = largestFirst(totals.owner);
    const names = await usernames(database(c.env.DB), groups.map(([id]) => id));
    return c.json({ object: "list", ...period(scope), data: groups.map(([id, t]) => ({ user_id: id, username: names.get(id) ?? null, ...costView(t) })) });
  });

export const statsRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const { scope, totals } = await usage(c, 7, ["all", "provider", "model", "lane", "day"]);
  const by = (groups: [string, Totals][], name: string) => largestFirst(groups).map(([k, t]) => ({ [name]: k || null, ...statsView(t) }));
  return c.json({
    object: "stats",
    ...period(scope),
    totals: statsView(only(totals.all)),
    by_provider: by(totals.provider, "provider"),
    by_model: by(totals.model, "model"),
    by_lane: by(totals.lane, "lane"),
    by_day: everyDay(scope, totals.day, statsView),
  });
});
