/**
 * `/api/prices`: the price table calls are charged at (USD per million tokens). Everyone signed in
 * may read it; admins set a model's price (over gateway.yaml's and the built-in default) and
 * delete it again (back to the one below).
 */
import { Hono } from "hono";
import { requireAdmin } from "../middleware/auth.ts";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database } from "../db/client.ts";
import { deleteModelPrice, putModelPrice } from "../db/prices.ts";
import type { AppEnv } from "../env.ts";
import { forgetPrices, priceBook } from "../pricing/price-book.ts";
import { modelName, priceInput, priceOf, priceView } from "../pricing/price-input.ts";

export const priceRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const book = await priceBook(c.env);
    const data = [...book.prices].sort(([a], [b]) => a.localeCompare(b)).map(([model, price]) => ({ model, object: "model_price" as const, ...priceView(price), source: book.sources.get(model) }));
    return c.json({ object: "list", currency: "USD", unit: "per 1M tokens", data });
  })
  .put("/:model{.+}", requireAdmin, async (c) => {
    const model = parseInput(modelName, c.req.param("model"));
    const price = priceOf(parseInput(priceInput, await readJson(c.req.raw)));
    await putModelPrice(database(c.env.DB), model, price, Date.now());
    forgetPrices();
    return c.json({ model, object: "model_price", ...priceView(price), source: "admin" });
  })
  .delete("/:model{.+}", requireAdmin, async (c) => {
    const model = c.req.param("model");
    if (!(await deleteModelPrice(database(c.env.DB), model))) throw new GatewayError("not_found", `no admin price for '${model}' (built-in and gateway.yaml prices are changed by setting one)`, { code: "price_not_found" });
    forgetPrices();
    const book = await priceBook(c.env);
    const now = book.prices.get(model);
    return c.json({ model, object: "model_price", deleted: true, now: now ? { ...priceView(now), source: book.sources.get(model) } : null });
  });
