import { describe, expect, it } from "vitest";
import { z } from "zod";
import { openapiDocument, openapiPath, pathParameters } from "./document.ts";
import { operations, type Operation } from "./operation.ts";

const info = { title: "T", version: "1", description: "d", tags: { Things: "All the things", Other: "" } };

const thing = z.strictObject({ name: z.string().min(1), size: z.number().int().default(1) });
const view = z.object({ id: z.string(), name: z.string(), size: z.number().int() });

const base: Operation = { method: "post", path: "/api/things", operationId: "createThing", summary: "Make a thing", tag: "Things", access: "caller", body: thing, response: { status: 201, description: "made", schema: view, name: "Thing" } };

type Json = Record<string, any>;

describe("paths", () => {
  it("turns Hono's parameters into OpenAPI's, regex constraints and all", () => {
    expect(openapiPath("/v1/models/:id{.+}/test")).toBe("/v1/models/{id}/test");
    expect(openapiPath("/api/keys/:id")).toBe("/api/keys/{id}");
    expect(openapiPath("/api/keys/")).toBe("/api/keys");
    expect(openapiPath("/")).toBe("/");
    expect(pathParameters("/a/:x/b/:y{[0-9]+}")).toEqual(["x", "y"]);
  });
});

describe("openapiDocument", () => {
  it("names the body on its input side and the response on its output side", () => {
    const doc = openapiDocument([base], info) as Json;
    const op = doc.paths["/api/things"].post;
    expect(op.requestBody).toEqual({ required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/CreateThingRequest" } } } });
    // A default makes a field optional to send, and present in what comes back.
    expect(doc.components.schemas.CreateThingRequest).toMatchObject({ required: ["name"], additionalProperties: false });
    expect(doc.components.schemas.Thing.required).toEqual(["id", "name", "size"]);
    expect(op.responses["201"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Thing" });
  });

  it("adds the errors of the access and the input to the declared ones, one response per status", () => {
    const doc = openapiDocument([{ ...base, access: "admin", errors: { 404: "no such thing", 400: "a thing of that name is odd" } }], info) as Json;
    const responses = doc.paths["/api/things"].post.responses;
    expect(Object.keys(responses)).toEqual(["201", "400", "401", "403", "404", "413", "429"]);
    expect(responses["400"].description).toMatch(/fails validation.* Or: a thing of that name is odd$/);
    expect(responses["429"].headers).toHaveProperty("Retry-After");
    expect(responses["404"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Error" });
    expect(doc.paths["/api/things"].post.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
  });

  it("answers in Anthropic's error shape on /v1/messages", () => {
    const doc = openapiDocument([{ ...base, path: "/v1/messages", operationId: "createMessage" }], info) as Json;
    expect(doc.paths["/v1/messages"].post.responses["400"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/AnthropicError" });
    expect(doc.components.schemas.AnthropicError.required).toEqual(["type", "error", "request_id"]);
  });

  it("makes a query object into parameters, optional where the schema lets a field be left out", () => {
    const query = z.strictObject({ limit: z.coerce.number().int().max(100).default(20), owner: z.string(), after: z.string().optional() });
    const doc = openapiDocument([{ ...base, method: "get", path: "/api/things/:id", operationId: "listThings", body: undefined, query, params: { id: "the id" }, response: { status: 200, description: "ok" } }], info) as Json;
    const params = doc.paths["/api/things/{id}"].get.parameters;
    expect(params.map((p: Json) => [p.name, p.in, p.required])).toEqual([["id", "path", true], ["limit", "query", false], ["owner", "query", true], ["after", "query", false]]);
    expect(params[0].description).toBe("the id");
    expect(params[1].schema).toMatchObject({ type: "integer", maximum: 100, default: 20 });
  });

  it("refuses a route declared twice, and two schemas of one name", () => {
    expect(() => openapiDocument([base, { ...base, operationId: "again" }], info)).toThrow(/POST \/api\/things is declared twice/);
    expect(() => openapiDocument([base, { ...base, method: "put", operationId: "createThing" }], info)).toThrow(/two operations are named createThing/);
    const other = { ...base, method: "put" as const, operationId: "putThing", response: { ...base.response, schema: z.object({ other: z.string() }) } };
    expect(() => openapiDocument([base, other], info)).toThrow(/two schemas are named Thing/);
  });

  it("documents each success response of an endpoint that answers by its input", () => {
    const doc = openapiDocument([{ ...base, response: [{ status: 200, description: "now", schema: view, name: "Thing" }, { status: 202, description: "later", schema: z.object({ id: z.string() }) }] }], info) as Json;
    const responses = doc.paths["/api/things"].post.responses;
    expect(responses["200"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Thing" });
    expect(responses["202"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/CreateThingResponse202" });
  });

  it("takes and answers other media types with the same schema, and documents a response that is a body on its input side", () => {
    const exported = { ...base, method: "get" as const, operationId: "exportThing", body: undefined, response: { status: 200 as const, description: "the thing as it is taken", schema: thing, side: "input" as const, mediaTypes: ["application/yaml"] } };
    const imported = { ...base, operationId: "importThing", path: "/api/things/import", bodyName: "ThingDocument", bodyMediaTypes: ["application/yaml", "text/yaml"] };
    const doc = openapiDocument([imported, exported], info) as Json;
    const body = doc.paths["/api/things/import"].post.requestBody.content;
    expect(Object.keys(body)).toEqual(["application/json", "application/yaml", "text/yaml"]);
    const answer = doc.paths["/api/things"].get.responses["200"].content;
    expect(answer).toEqual({ "application/json": { schema: { $ref: "#/components/schemas/ThingDocument" } }, "application/yaml": { schema: { $ref: "#/components/schemas/ThingDocument" } } });
    // On its input side, as taken: the field with a default is optional.
    expect(doc.components.schemas.ThingDocument.required).toEqual(["name"]);
  });

  it("lists tags in the order given, with their descriptions, and only those in use", () => {
    const doc = openapiDocument([{ ...base, tag: "Zeta" }, { ...base, method: "get", operationId: "getThing", body: undefined, tag: "Things" }], info) as Json;
    expect(doc.tags).toEqual([{ name: "Things", description: "All the things" }, { name: "Zeta" }]);
  });

  it("shares a group's fields among its operations, each free to override them", () => {
    const list = operations({ tag: "Things", access: "admin" }, [
      { method: "get", path: "/a", operationId: "a", summary: "a", response: { status: 200, description: "ok" } },
      { method: "get", path: "/b", operationId: "b", summary: "b", access: "public", response: { status: 200, description: "ok", contentType: "text/html" } },
    ]);
    expect(list.map((o) => [o.tag, o.access])).toEqual([["Things", "admin"], ["Things", "public"]]);
    const doc = openapiDocument(list, info) as Json;
    expect(doc.paths["/b"].get.security).toEqual([]);
    expect(doc.paths["/b"].get.responses).toEqual({ "200": { description: "ok", content: { "text/html": { schema: { type: "string" } } } } });
  });
});
