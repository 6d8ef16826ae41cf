import { describe, expect, it } from "vitest";
import { z } from "zod";
import { aliasedPath, aliasOperations } from "./aliases.ts";
import { openapiDocument } from "./document.ts";
import { operations } from "./operation.ts";

type Json = Record<string, any>;

const info = { title: "T", version: "1", description: "d", tags: {} };
const thing = z.strictObject({ name: z.string() });

const declared = operations({ tag: "Things", access: "admin" }, [
  { method: "post", path: "/api/things", operationId: "createThing", summary: "Make a thing", description: "Made at once.", body: thing, response: { status: 201, description: "made", schema: thing, name: "Thing" } },
  { method: "get", path: "/api/things/:id/parts", operationId: "listParts", summary: "A thing's parts", response: { status: 200, description: "parts" }, errors: { 404: "no such thing" } },
  { method: "get", path: "/api/thingsmith", operationId: "smith", summary: "Not below /api/things", response: { status: 200, description: "ok" } },
]);

describe("aliasedPath", () => {
  it("maps the target, and with prefix the paths below it, never a path that only starts alike", () => {
    const alias = { alias: "/api/v1/things", target: "/api/things", prefix: true };
    expect(aliasedPath("/api/things", alias)).toBe("/api/v1/things");
    expect(aliasedPath("/api/things/:id/parts", alias)).toBe("/api/v1/things/:id/parts");
    expect(aliasedPath("/api/thingsmith", alias)).toBeUndefined();
    expect(aliasedPath("/api/things/:id/parts", { ...alias, prefix: false })).toBeUndefined();
  });
});

describe("aliasOperations", () => {
  const naming = { label: "seed 9", idSuffix: "Seed9", tag: "Seed 9 paths" };

  it("gives each covered operation the alias's path, its own id and a description naming its target, with the same schemas", () => {
    const aliases = aliasOperations(declared, [{ alias: "/api/v1/things", target: "/api/things", prefix: true }], naming);
    expect(aliases.map((op) => [op.method, op.path, op.operationId, op.tag])).toEqual([
      ["post", "/api/v1/things", "createThingSeed9", "Seed 9 paths"],
      ["get", "/api/v1/things/:id/parts", "listPartsSeed9", "Seed 9 paths"],
    ]);
    expect(aliases[0]!.description).toBe("The seed 9 path for `POST /api/things`, answered by it: the same credential, input, answer and errors. Made at once.");
    expect(aliases[1]).toMatchObject({ access: "admin", errors: { 404: "no such thing" } });
    const doc = openapiDocument([...declared, ...aliases], info) as Json;
    expect(doc.paths["/api/v1/things"].post.requestBody).toEqual(doc.paths["/api/things"].post.requestBody);
    expect(doc.paths["/api/v1/things"].post.responses).toEqual(doc.paths["/api/things"].post.responses);
    expect(doc.paths["/api/v1/things/{id}/parts"].get.parameters).toEqual(doc.paths["/api/things/{id}/parts"].get.parameters);
  });

  it("refuses an alias whose target no operation declares", () => {
    expect(() => aliasOperations(declared, [{ alias: "/api/v1/gone", target: "/api/gone" }], naming)).toThrow(/\/api\/v1\/gone stands for \/api\/gone, which no operation declares/);
  });
});
