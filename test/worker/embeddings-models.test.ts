import { describe, expect, it } from "vitest";
import { adminKey, call } from "./helpers.ts";

describe("models and embeddings", () => {
  it("lists the configured models in the OpenAI list shape", async () => {
    const res = await call("/v1/models", { key: await adminKey() });
    const body = (await res.json()) as { object: string; data: { id: string; object: string; owned_by: string }[] };
    expect(body.object).toBe("list");
    expect(body.data.map((m) => m.id)).toEqual(["sim-small", "sim-alias"]);
    expect(body.data[0]).toMatchObject({ object: "model", owned_by: "sim" });
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
