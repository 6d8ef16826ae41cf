/** API docs of prices (src/routes/prices.ts), cost and stats (src/routes/usage.ts) and /metrics (src/routes/metrics.ts). */
import { operations } from "../../openapi/operation.ts";
import { priceInput } from "../../pricing/price-input.ts";
import { usageQuery } from "../usage.ts";
import { costByModel, costByUser, costCurrent, costDaily, costSummary, deletedPrice, modelPrice, priceList, stats } from "./usage-views.ts";

const model = { model: "The model name (a name also prices its dated versions: `gpt-4o` prices `gpt-4o-2024-08-06`)." };
const SCOPE = "Admins see everyone's usage, or one user's with `user_id`; others their own (another user's is a 403). Periods are days in USAGE_UTC_OFFSET_MINUTES: `since`/`until`, or `days` back from today.";
const FORBIDDEN = { 403: "`user_id` names another user and the caller is not an admin (`admin_only`)." };

export const priceOperations = operations({ tag: "Usage", access: "caller" }, [
  { method: "get", path: "/api/prices", operationId: "listPrices", summary: "The price table calls are charged at (USD per million tokens), with where each price comes from", response: { status: 200, description: "Every price", schema: priceList, name: "PriceList" } },
  {
    method: "put",
    path: "/api/prices/:model{.+}",
    operationId: "setPrice",
    summary: "Set a model's price (over gateway.yaml's and the built-in default)",
    access: "admin",
    params: model,
    body: priceInput,
    bodyName: "PriceInput",
    response: { status: 200, description: "The price now", schema: modelPrice },
  },
  {
    method: "delete",
    path: "/api/prices/:model{.+}",
    operationId: "deletePrice",
    summary: "Delete an admin's price (back to gateway.yaml's or the default)",
    access: "admin",
    params: model,
    response: { status: 200, description: "Deleted, and the price the model has now", schema: deletedPrice, name: "DeletedPrice" },
    errors: { 404: "No admin price for the model (`price_not_found`)." },
  },
]);

export const usageOperations = operations({ tag: "Usage", access: "caller" }, [
  { method: "get", path: "/api/v1/cost/current", operationId: "costCurrent", summary: "Cost today and this month (seed 003)", description: SCOPE, query: usageQuery, response: { status: 200, description: "Today's and this month's cost", schema: costCurrent, name: "CostCurrent" }, errors: FORBIDDEN },
  { method: "get", path: "/api/v1/cost/daily", operationId: "costDaily", summary: "Cost per day (default: the last 30 days, days without calls included)", description: SCOPE, query: usageQuery, response: { status: 200, description: "One entry per day", schema: costDaily, name: "CostDaily" }, errors: FORBIDDEN },
  { method: "get", path: "/api/v1/cost/summary", operationId: "costSummary", summary: "Cost of a period (default: this month), with the task lane's savings", description: SCOPE, query: usageQuery, response: { status: 200, description: "The period's totals", schema: costSummary, name: "CostSummary" }, errors: FORBIDDEN },
  { method: "get", path: "/api/v1/cost/by-model", operationId: "costByModel", summary: "Cost per model (default: this month), largest first", description: SCOPE, query: usageQuery, response: { status: 200, description: "One entry per model", schema: costByModel, name: "CostByModel" }, errors: FORBIDDEN },
  { method: "get", path: "/api/v1/cost/by-user", operationId: "costByUser", summary: "Cost per user (default: this month), largest first", description: SCOPE, query: usageQuery, response: { status: 200, description: "One entry per owner", schema: costByUser, name: "CostByUser" }, errors: FORBIDDEN },
  { method: "get", path: "/api/stats", operationId: "stats", summary: "Requests, success rate, latency percentiles, tokens and cost, by provider, model, lane and day (default: the last 7 days)", description: SCOPE, query: usageQuery, response: { status: 200, description: "The statistics", schema: stats, name: "Stats" }, errors: FORBIDDEN },
]);

export const metricsOperations = operations({ tag: "Gateway", access: "admin" }, [
  {
    method: "get",
    path: "/metrics",
    operationId: "metrics",
    summary: "Prometheus metrics, aggregated across isolates",
    description: "Readable with any admin credential, or METRICS_TOKEN as a Bearer token. See docs/operations.md for the metric names.",
    response: { status: 200, description: "Prometheus text exposition format", contentType: "text/plain; version=0.0.4" },
  },
]);
