import { describe, expect, it } from "vitest";
import { ADMIN, adminKey, call } from "./helpers.ts";

describe("models and embeddings", () => {
  it("lists the configured models in the OpenAI list shape", async () => {
    const res = await call("/v1/models", { key: await adminKey() });
    const body = (await res.json()) as { object: string; data: { id: string; object: string; owned_by: string }[] };
    expect(body.object).toBe("list");
    expect(body.data.map((m) => m.id)).toEqual(["sim-small", "sim-alias"]);
    expect(body.data[0]).toMatchObject({ object: "model", owned_by: "sim" });
  });

  it("retrieves one model by id (GET /v1/models/{id}), 404 for one the caller may not see", async () => {
    const key = await adminKey();
    const res = await call("/v1/models/sim-alias", { key });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: "sim-alias", object: "model", owned_by: "sim" });
    const missing = await call("/v1/models/no-such-model", { key });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("model_not_found");
    const narrow = (await (await call("/api/keys", { method: "POST", key: ADMIN, json: { name: "narrow", models: ["sim-alias"] } })).json()) as { key: string };
    expect((await call("/v1/models/sim-small", { key: narrow.key })).status).toBe(404);
  });

  it("returns embeddings for a string and a list", async () => {
    const key = await adminKey();
    const one = await call("/v1/embeddings", { method: "POST", key, json: { model: "sim-small", input: "hello" } });
    expect(one.status).toBe(200);
    const body = (await one.json()) as { data: { embedding: number[] }[]; model: string };
    expect(body.model).toBe("sim-small");
    expect(body.data[0]!.embedding.length).toBeGreaterThan(0);
    const many = await call("/v1/embeddings", { method: "POST", key, json: { model: "sim-small", input: ["a", "b"] } });
    expect(((await many.json()) as { data: unknown[] }).data).toHaveLength(2);
    const bad = await call("/v1/embeddings", { method: "POST", key, json: { model: "sim-small", input: 42 } });
    expect(bad.status).toBe(400);
  });
});
