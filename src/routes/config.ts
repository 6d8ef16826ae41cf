/**
 * `/api/config` (admin): `GET /export?format=json|yaml` writes the run-time configuration (stored
 * providers, the routing document, rules) without a secret; `POST /import?mode=merge|replace&dry_run=`
 * takes such a document (JSON, or YAML with content-type application/yaml or text/yaml) and
 * applies it all at once, or reports what it would change. See docs/config.md.
 */
import { Hono } from "hono";
import { Document } from "yaml";
import { z } from "zod";
import { parseInput, readJsonOrYaml } from "../core/validate.ts";
import { configDocument, exportConfig, importConfig } from "../config/document.ts";
import { database } from "../db/client.ts";
import type { AppEnv } from "../env.ts";

export const exportQuery = z.strictObject({
  format: z.enum(["json", "yaml"]).default("json"),
});

export const importQuery = z.strictObject({
  mode: z.enum(["merge", "replace"]).default("merge"),
  dry_run: z.enum(["true", "false"], { message: "dry_run is true or false" }).default("false"),
});

export const configRoutes = new Hono<AppEnv>()
  .get("/export", async (c) => {
    const { format } = parseInput(exportQuery, c.req.query());
    const document = await exportConfig(c.env, database(c.env.DB));
    if (format === "json") return c.json(document);
    const yaml = new Document(document);
    yaml.commentBefore = ` The gateway's run-time configuration (docs/config.md). It holds no secret: \${NAME} is a Worker\n secret, and "(sealed)" keeps the key the importing gateway already stores for that provider.`;
    return c.body(yaml.toString(), 200, { "content-type": "application/yaml; charset=utf-8" });
  })
  .post("/import", async (c) => {
    const query = parseInput(importQuery, c.req.query());
    const document = parseInput(configDocument, await readJsonOrYaml(c.req.raw));
    return c.json(await importConfig(c.env, database(c.env.DB), document, { mode: query.mode, dryRun: query.dry_run === "true" }));
  });
