/**
 * `/api/providers` (admin): create, list, read, update and delete providers with their keys and
 * models. Several providers may serve one model: each provider × key × model is a deployment the
 * router chooses among. A provider stored here replaces one of the same name in gateway.yaml or
 * PROVIDERS; every change applies at once in this isolate (in others within the route table's
 * 10 s). Users' own providers (seed 000's model configurations) are not listed here. Also:
 * `POST /batch` (several changes at once), and seed 003's `GET/POST /{id}/models`.
 */
import { Hono } from "hono";
import { GatewayError } from "../core/errors.ts";
import { parseInput, readJson } from "../core/validate.ts";
import { database } from "../db/client.ts";
import type { AppEnv, Bindings } from "../env.ts";
import { modelFields, modelEntryOf, providerDefinition, providerFields } from "../providers/definition.ts";
import { rowModels } from "../providers/provider-view.ts";
import { applyProviderChanges, assertUsableHere, mustFindStored, patchedDefinition, providerViews } from "../providers/stored-providers.ts";
import { checkProviderNow, providersHealth } from "./health.ts";
import { providerBatch } from "./provider-batch.ts";

/** What PATCH /api/providers/{id} takes: any of a definition's fields. */
export const providerPatch = providerFields.partial();

export const providerRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const def = parseInput(providerDefinition, await readJson(c.req.raw));
    assertUsableHere(c.env, def);
    const db = database(c.env.DB);
    const id = crypto.randomUUID();
    await applyProviderChanges(c.env, db, [{ op: "create", id, def }]);
    return c.json((await providerViews(c.env, db)).find((v) => v.id === id), 201);
  })
  .get("/", async (c) => c.json({ object: "list", data: await providerViews(c.env, database(c.env.DB)) }))
  .post("/batch", providerBatch)
  .get("/health", providersHealth)
  .post("/:id/health", checkProviderNow)
  .get("/:id", async (c) => c.json(await viewOf(c.env, c.req.param("id"))))
  .patch("/:id", async (c) => {
    const db = database(c.env.DB);
    const current = await mustFindStored(db, c.req.param("id"));
    const def = patchedDefinition(current, parseInput(providerPatch, await readJson(c.req.raw)));
    assertUsableHere(c.env, def);
    await applyProviderChanges(c.env, db, [{ op: "update", current, def }]);
    return c.json((await providerViews(c.env, db)).find((v) => v.id === current.row.id));
  })
  .delete("/:id", async (c) => {
    const db = database(c.env.DB);
    const current = await mustFindStored(db, c.req.param("id"));
    await applyProviderChanges(c.env, db, [{ op: "delete", current }]);
    return c.json({ id: current.row.id, object: "provider", deleted: true });
  })
  // Seed 003's model endpoints: a provider's models, and one more model for a stored provider.
  .get("/:id/models", async (c) => c.json({ object: "list", data: (await viewOf(c.env, c.req.param("id"))).models }))
  .post("/:id/models", async (c) => {
    const db = database(c.env.DB);
    const current = await mustFindStored(db, c.req.param("id"));
    const model = parseInput(modelFields, await readJson(c.req.raw));
    if (current.models.some((m) => m.name === model.name)) throw new GatewayError("conflict", `provider '${current.row.name}' already serves '${model.name}'`, { param: "name", code: "model_exists" });
    const def = patchedDefinition(current, { models: [...rowModels(current.models).map(modelEntryOf), model] });
    assertUsableHere(c.env, def);
    await applyProviderChanges(c.env, db, [{ op: "update", current, def }]);
    return c.json((await viewOf(c.env, current.row.id)).models.find((m) => m.name === model.name), 201);
  });

/** A provider as listed (stored or configured), by id or name; 404 otherwise. */
async function viewOf(env: Bindings, id: string) {
  const found = (await providerViews(env, database(env.DB))).find((v) => v.id === id || v.name === id);
  if (!found) throw new GatewayError("not_found", `no provider '${id}'`, { code: "provider_not_found" });
  return found;
}
