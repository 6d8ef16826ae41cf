// The API docs: /openapi.json is public OpenAPI 3.1 holding exactly the routes the app registers,
// with the handlers' own schemas and their errors; the shapes it documents are the shapes the
// gateway answers with; seed 003's path aliases are in it as the operations they stand for;
// /docs and /redoc are pages that load the gateway's own copies of the UIs.
import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.ts";
import { configDocument } from "../../src/config/document.ts";
import { openapiPath } from "../../src/openapi/document.ts";
import { anthropicErrorBody, openaiErrorBody } from "../../src/openapi/error-responses.ts";
import { DOCS_ASSETS } from "../../src/openapi/pages.ts";
import { routedPath, SEED_003_ALIASES } from "../../src/routes/aliases.ts";
import { routeOperations } from "../../src/routes/openapi/index.ts";
import { apiKey, chatCompletion, configImport, keyBatch, listOf, model, newApiKey, providerModel, task } from "../../src/routes/openapi/views.ts";
import { ADMIN, adminKey, call, chat } from "./helpers.ts";

type Json = Record<string, any>;

const spec = async (): Promise<Json> => {
  const res = await call("/openapi.json");
  expect(res.status).toBe(200);
  return res.json();
};

/** `METHOD /path` of every route the app registers (middleware entries are method ALL). */
function registeredRoutes(): string[] {
  return [...new Set(buildApp().routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path.length > 1 ? r.path.replace(/\/+$/, "") : r.path}`))];
}

const declaredRoutes = () => routeOperations.map((op) => `${op.method.toUpperCase()} ${op.path}`);

describe("/openapi.json", () => {
  it("is public OpenAPI 3.1 with the credential schemes the gateway takes", async () => {
    const doc = await spec();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.components.securitySchemes).toMatchObject({
      bearer: { type: "http", scheme: "bearer" },
      apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
      internalKey: { type: "http", scheme: "bearer" },
    });
    expect(doc.paths["/openapi.json"].get.security).toEqual([]);
    expect(doc.paths["/api/users"].get.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    expect(doc.paths["/internal/workers/register"].post.security).toEqual([{ internalKey: [] }]);
  });

  it("documents every route the app registers, and no route it does not", () => {
    const declared = declaredRoutes();
    const registered = registeredRoutes();
    // A new route needs a declaration in src/routes/openapi/ (its index.ts says how); a declaration needs its route.
    expect({
      routesWithoutDeclaration: registered.filter((r) => !declared.includes(r)),
      declarationsWithoutRoute: declared.filter((r) => !registered.includes(r)),
    }).toEqual({ routesWithoutDeclaration: [], declarationsWithoutRoute: [] });
    expect(new Set(declared).size, "a route declared twice").toBe(declared.length);
  });

  it("holds every registered route under its OpenAPI path, each with an id, a summary and a success response", async () => {
    const doc = await spec();
    for (const route of registeredRoutes()) {
      const [method, path] = route.split(" ") as [string, string];
      const op = doc.paths[openapiPath(path)]?.[method.toLowerCase()];
      expect(op, route).toBeDefined();
      expect(op.operationId, route).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.summary, route).toBeTruthy();
      expect(Object.keys(op.responses).some((s) => s.startsWith("2")), route).toBe(true);
    }
    expect(Object.keys(doc.paths["/api/request"].post.responses).slice(0, 2)).toEqual(["200", "202"]);
    expect(doc.paths["/v1/models/{id}/test"].post.parameters[0]).toMatchObject({ name: "id", in: "path", required: true });
  });

  it("describes the chat completions body from the handler's schema: model and messages required, unknown fields passed on", async () => {
    const doc = await spec();
    const body = doc.paths["/v1/chat/completions"].post.requestBody;
    expect(body.required).toBe(true);
    const name = body.content["application/json"].schema.$ref.split("/").pop();
    const schema = doc.components.schemas[name];
    expect(schema.required).toEqual(expect.arrayContaining(["model", "messages"]));
    expect(schema.properties.messages.items.properties.role.enum).toContain("assistant");
    expect(schema.properties.deadline).toMatchObject({ type: "string", format: "date-time" });
    expect(doc.paths["/v1/chat/completions"].post.responses["200"].content).toHaveProperty("text/event-stream");
  });

  it("describes strict bodies as strict, defaults as optional, and query strings as parameters", async () => {
    const doc = await spec();
    const keyBody = doc.components.schemas[doc.paths["/api/keys"].post.requestBody.content["application/json"].schema.$ref.split("/").pop()];
    expect(keyBody).toMatchObject({ type: "object", required: ["name"], additionalProperties: false });
    const rule = doc.components.schemas[doc.paths["/api/v1/router/rules"].post.requestBody.content["application/json"].schema.$ref.split("/").pop()];
    expect(rule.required).not.toContain("priority");
    const params = doc.paths["/v1/tasks"].get.parameters as Json[];
    expect(params.find((p) => p.name === "status")).toMatchObject({ in: "query", required: false, schema: { enum: expect.arrayContaining(["queued", "succeeded"]) } });
    expect(params.find((p) => p.name === "limit")).toMatchObject({ in: "query", required: false });
    expect(doc.paths["/api/auth/token"].post.requestBody.content).toHaveProperty("application/x-www-form-urlencoded");
  });

  it("lists the error responses, in OpenAI's shape and in Anthropic's on /v1/messages", async () => {
    const doc = await spec();
    expect(doc.components.schemas.Error.properties.error.required).toEqual(["message", "type", "param", "code"]);
    expect(doc.components.schemas.Error.required).toEqual(["error", "request_id"]);
    expect(doc.components.schemas.AnthropicError.properties.type).toMatchObject({ const: "error" });
    const chatResponses = doc.paths["/v1/chat/completions"].post.responses;
    expect(Object.keys(chatResponses)).toEqual(["200", "400", "401", "403", "404", "413", "429", "502", "503", "504"]);
    expect(chatResponses["400"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Error" });
    expect(chatResponses["429"].headers).toHaveProperty("Retry-After");
    expect(doc.paths["/v1/messages"].post.responses["400"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/AnthropicError" });
    expect(doc.paths["/v1/tasks/{id}"].get.responses["404"].description).toContain("task_not_found");
    expect(doc.paths["/api/users"].get.responses).toHaveProperty("403");
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
      for (const [method, op] of Object.entries(item)) {
        if (op.security.length > 0) expect(op.responses, `${method} ${path}`).toHaveProperty("401");
        if (op.requestBody || op.parameters?.some((p: Json) => p.in === "query")) expect(op.responses, `${method} ${path}`).toHaveProperty("400");
      }
    }
  });
});

describe("seed 003's path aliases in /openapi.json", () => {
  /** The alias paths in the document, for every declared operation an alias in SEED_003_ALIASES covers. */
  const expectedAliases = () =>
    SEED_003_ALIASES.flatMap(({ alias, target, prefix }) =>
      routeOperations.flatMap((op) => {
        const rest = op.path === target ? "" : prefix && op.path.startsWith(`${target}/`) ? op.path.slice(target.length) : undefined;
        return rest === undefined ? [] : [{ method: op.method, path: openapiPath(alias + rest), target: openapiPath(op.path) }];
      }),
    );

  it("holds every alias of SEED_003_ALIASES, for each operation of the path it stands for", async () => {
    const doc = await spec();
    const expected = expectedAliases();
    for (const { alias } of SEED_003_ALIASES) expect(expected.map((e) => e.path), `${alias} covers no declared route`).toContain(alias);
    // A missing one: src/routes/openapi/index.ts derives them from SEED_003_ALIASES and the routes' declarations.
    expect(expected.filter(({ method, path }) => !doc.paths[path]?.[method]).map(({ method, path }) => `${method.toUpperCase()} ${path}`)).toEqual([]);
    expect(doc.paths["/api/v1/chat/completions"].post).toBeDefined();
    expect(doc.paths["/api/v1/providers/{id}/models"].post).toBeDefined();
  });

  it("documents each alias as its target's operation, under its own id, and the app routes it to that target", async () => {
    const doc = await spec();
    const concrete = (path: string) => path.replace(/\{(\w+)\}/g, "$1-0");
    for (const { method, path, target } of expectedAliases()) {
      const [aliased, original] = [doc.paths[path][method], doc.paths[target][method]];
      expect(concrete(routedPath(new Request(`http://gateway.test${concrete(path)}`))), path).toBe(concrete(target));
      expect(aliased.operationId).toBe(`${original.operationId}Seed003`);
      expect(aliased.description).toContain(`\`${method.toUpperCase()} ${target}\``);
      // Same credentials, parameters, body and responses: the same schemas, by reference.
      const { operationId: _i, summary: _s, description: _d, tags: _t, ...same } = aliased;
      const { operationId: _oi, summary: _os, description: _od, tags: _ot, ...sameOriginal } = original;
      expect(same, path).toEqual(sameOriginal);
    }
  });
});

describe("config import, export and the batches in /openapi.json", () => {
  it("say config import takes JSON or YAML with mode and dry_run, and export answers JSON or YAML", async () => {
    const doc = await spec();
    const importOp = doc.paths["/api/config/import"].post;
    expect(Object.keys(importOp.requestBody.content)).toEqual(["application/json", "application/yaml", "text/yaml"]);
    expect(importOp.parameters.map((p: Json) => [p.name, p.in, p.schema.enum])).toEqual([["mode", "query", ["merge", "replace"]], ["dry_run", "query", ["true", "false"]]]);
    const exportOp = doc.paths["/api/config/export"].get;
    expect(exportOp.parameters[0]).toMatchObject({ name: "format", in: "query", schema: { enum: ["json", "yaml"] } });
    // The export is the document the import takes: one schema.
    expect(exportOp.responses["200"].content["application/yaml"].schema).toEqual(importOp.requestBody.content["application/json"].schema);
    expect(exportOp.responses["200"].content["application/json"].schema).toEqual(importOp.requestBody.content["application/json"].schema);
    expect(Object.keys(doc.paths["/api/keys/batch"].post.responses).slice(0, 2)).toEqual(["200", "201"]);
    expect(doc.paths["/api/providers/batch"].post.responses["409"].description).toContain("provider_exists");
  });
});

describe("the documented shapes are the gateway's answers", () => {
  it("key batches, a provider's models, config export and import", async () => {
    const batch = await call("/api/keys/batch", { method: "POST", key: ADMIN, json: { create: [{ name: "documented-batch" }] } });
    expect(batch.status).toBe(201);
    keyBatch.parse(await batch.json());
    const providers = (await (await call("/api/providers", { key: ADMIN })).json()) as { data: { id: string }[] };
    const models = await call(`/api/providers/${providers.data[0]!.id}/models`, { key: ADMIN });
    expect(models.status).toBe(200);
    listOf(providerModel).parse(await models.json());
    const exported = await call("/api/config/export", { key: ADMIN });
    const document = await exported.json();
    configDocument.parse(document);
    const dryRun = await call("/api/config/import?dry_run=true", { method: "POST", key: ADMIN, json: document });
    expect(dryRun.status).toBe(200);
    configImport.parse(await dryRun.json());
  });

  it("keys, models, chat completions and tasks", async () => {
    const created = await call("/api/keys", { method: "POST", key: ADMIN, json: { name: "documented" } });
    expect(created.status).toBe(201);
    newApiKey.parse(await created.json());
    listOf(apiKey).parse(await (await call("/api/keys", { key: ADMIN })).json());
    const key = await adminKey();
    listOf(model).parse(await (await call("/v1/models", { key })).json());
    const completion = await chat(key);
    expect(completion.status).toBe(200);
    chatCompletion.parse(await completion.json());
    const submitted = await call("/v1/tasks", { method: "POST", key, json: { model: "sim-small", messages: [{ role: "user", content: "hi" }] } });
    expect(submitted.status).toBe(202);
    task.parse(await submitted.json());
  });

  it("errors: OpenAI's shape with the request id, Anthropic's on /v1/messages", async () => {
    const bad = await call("/v1/chat/completions", { method: "POST", key: ADMIN, json: { messages: [] } });
    expect(bad.status).toBe(400);
    expect(openaiErrorBody.parse(await bad.json()).request_id).toBe(bad.headers.get("x-request-id"));
    const anthropic = await call("/v1/messages", { method: "POST", key: ADMIN, json: { model: "sim-small" } });
    expect(anthropic.status).toBe(400);
    anthropicErrorBody.parse(await anthropic.json());
  });
});

describe("/docs and /redoc", () => {
  it("are public pages that load the gateway's own Swagger UI and ReDoc over /openapi.json", async () => {
    const swagger = await call("/docs");
    expect(swagger.status).toBe(200);
    expect(swagger.headers.get("content-type")).toContain("text/html");
    const swaggerHtml = await swagger.text();
    expect(swaggerHtml).toContain(`src="${DOCS_ASSETS.swaggerScript}"`);
    expect(swaggerHtml).toContain(`href="${DOCS_ASSETS.swaggerStyle}"`);
    expect(swaggerHtml).toContain('"/openapi.json"');
    const redoc = await call("/redoc");
    expect(redoc.status).toBe(200);
    const redocHtml = await redoc.text();
    expect(redocHtml).toContain(`src="${DOCS_ASSETS.redocScript}"`);
    expect(redocHtml).toContain('spec-url="/openapi.json"');
    // No page reaches for a CDN.
    expect(swaggerHtml + redocHtml).not.toMatch(/https?:\/\//);
  });
});
