// The API docs: /openapi.json is public OpenAPI 3.1 holding exactly the routes the app registers,
// with the handlers' own schemas and their errors; the shapes it documents are the shapes the
// gateway answers with; /docs and /redoc are pages that load the gateway's own copies of the UIs.
import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.ts";
import { openapiPath } from "../../src/openapi/document.ts";
import { anthropicErrorBody, openaiErrorBody } from "../../src/openapi/error-responses.ts";
import { DOCS_ASSETS } from "../../src/openapi/pages.ts";
import { gatewayOperations } from "../../src/routes/openapi/index.ts";
import { apiKey, chatCompletion, listOf, model, newApiKey, task } from "../../src/routes/openapi/views.ts";
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

const declaredRoutes = () => gatewayOperations.map((op) => `${op.method.toUpperCase()} ${op.path}`);

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

describe("the documented shapes are the gateway's answers", () => {
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
