import { describe, expect, it } from "vitest";
import { ADMIN, adminKey, call, chat, simUrl, userWithKey } from "./helpers.ts";

function provider(name: string, extra: Record<string, unknown> = {}) {
  return { name, type: "openai-compatible", base_url: `${simUrl()}/v1`, api_key: "sk-sim-test", limits: { max_concurrency: 2 }, models: [{ name: `${name}-model`, upstream_model: "sim-large" }], ...extra };
}

const names = async () => ((await (await call("/api/providers", { key: ADMIN })).json()) as { data: { name: string }[] }).data.map((p) => p.name);
const errorOf = async (res: Response) => ((await res.json()) as { error: { param: string; code: string; message: string } }).error;

describe("POST /api/providers/batch", () => {
  it("creates, updates and deletes in one call; the changes serve at once", async () => {
    await call("/api/providers", { method: "POST", key: ADMIN, json: provider("b-old") });
    const kept = (await (await call("/api/providers", { method: "POST", key: ADMIN, json: provider("b-kept") })).json()) as { id: string };

    const res = await call("/api/providers/batch", {
      method: "POST",
      key: ADMIN,
      json: { create: [provider("b-one"), provider("b-two")], update: [{ id: kept.id, limits: { max_concurrency: 7 } }, { name: "b-old", models: ["b-old-renamed"] }], delete: [] },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { created: { name: string }[]; updated: { name: string; limits: { max_concurrency: number }; models: { name: string }[] }[]; deleted: unknown[] };
    expect(body.created.map((p) => p.name)).toEqual(["b-one", "b-two"]);
    expect(body.updated).toEqual([expect.objectContaining({ name: "b-kept", limits: expect.objectContaining({ max_concurrency: 7 }) }), expect.objectContaining({ name: "b-old", models: [expect.objectContaining({ name: "b-old-renamed" })] })]);
    expect(JSON.stringify(body)).not.toContain("sk-sim-test");

    const key = await adminKey();
    expect((await chat(key, "hi", { model: "b-two-model" })).status).toBe(200);
    expect((await chat(key, "hi", { model: "b-old-renamed" })).status).toBe(200);

    const deleted = await call("/api/providers/batch", { method: "POST", key: ADMIN, json: { delete: ["b-one", kept.id] } });
    expect(((await deleted.json()) as { deleted: { name: string }[] }).deleted.map((d) => d.name)).toEqual(["b-one", "b-kept"]);
    expect(await names()).not.toContain("b-one");
    expect((await chat(key, "hi", { model: "b-one-model" })).status).toBe(404);
  });

  it("changes nothing when one item is bad, and names the item and field", async () => {
    const before = await names();
    const invalid = await call("/api/providers/batch", { method: "POST", key: ADMIN, json: { create: [provider("r-good"), provider("r-bad", { limits: { max_concurrency: 0 } })], delete: ["b-two"] } });
    expect(invalid.status).toBe(400);
    expect((await errorOf(invalid)).param).toBe("create.1.limits.max_concurrency");

    const unknownField = await call("/api/providers/batch", { method: "POST", key: ADMIN, json: { update: [{ name: "b-two", colour: "red" }] } });
    expect(unknownField.status).toBe(400);
    expect(await errorOf(unknownField)).toMatchObject({ param: "update.0.colour", code: "unknown_field" });

    const missing = await call("/api/providers/batch", { method: "POST", key: ADMIN, json: { create: [provider("r-good")], update: [{ id: "no-such-id", limits: { max_concurrency: 3 } }] } });
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).param).toBe("update.0.id");

    // The upstream-address guard of provider create (this test environment allows private
    // addresses, but never credentials in one).
    const leaky = await call("/api/providers/batch", { method: "POST", key: ADMIN, json: { create: [provider("r-good"), provider("r-leak", { base_url: "http://user:pw@example.com/v1" })] } });
    expect(leaky.status).toBe(400);
    expect((await errorOf(leaky)).param).toBe("create.1.base_url");

    const clash = await call("/api/providers/batch", { method: "POST", key: ADMIN, json: { create: [provider("r-good"), provider("b-two")] } });
    expect(clash.status).toBe(409);
    expect((await errorOf(clash)).param).toBe("create.1.name");

    const twice = await call("/api/providers/batch", { method: "POST", key: ADMIN, json: { update: [{ name: "b-two", limits: { max_concurrency: 3 } }], delete: ["b-two"] } });
    expect(twice.status).toBe(400);
    expect((await errorOf(twice)).param).toBe("update.0");

    expect((await call("/api/providers/batch", { method: "POST", key: ADMIN, json: { delete: ["config:sim"] } })).status).toBe(409);
    expect(await names()).toEqual(before);
  });

  it("rolls back a batch that D1 refuses part-way (two providers swapping names)", async () => {
    const idOf = async (name: string) => ((await (await call(`/api/providers/${name}`, { key: ADMIN })).json()) as { id: string; limits: { max_concurrency: number } });
    const [two, old] = [await idOf("b-two"), await idOf("b-old")];
    const before = await names();
    // Each name is free once both have moved, but the first rename meets the other's old name in D1.
    const res = await call("/api/providers/batch", { method: "POST", key: ADMIN, json: { create: [provider("s-new")], update: [{ id: two.id, name: "b-old", limits: { max_concurrency: 9 } }, { id: old.id, name: "b-two" }] } });
    expect(res.status).toBe(409);
    expect(await names()).toEqual(before);
    expect((await idOf("b-two")).limits.max_concurrency).toBe(two.limits.max_concurrency);
  });

  it("stores a provider of many models (more than one D1 statement can bind)", async () => {
    const models = Array.from({ length: 30 }, (_, i) => ({ name: `many-${i}`, upstream_model: "sim-large", max_tokens: 100 }));
    const res = await call("/api/providers/batch", { method: "POST", key: ADMIN, json: { create: [provider("many", { models })] } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { created: { models: unknown[] }[] }).created[0]!.models).toHaveLength(30);
    expect((await chat(await adminKey(), "hi", { model: "many-29" })).status).toBe(200);
  });

  it("is for admins", async () => {
    const user = await userWithKey();
    expect((await call("/api/providers/batch", { method: "POST", key: user.key, json: { delete: ["b-two"] } })).status).toBe(403);
  });
});

describe("POST /api/keys/batch", () => {
  it("creates keys (each shown once) and revokes others in one call", async () => {
    const user = await userWithKey();
    const old = (await (await call("/api/keys", { method: "POST", key: user.token, json: { name: "old" } })).json()) as { id: string; key: string };
    const res = await call("/api/keys/batch", { method: "POST", key: user.token, json: { create: [{ name: "ci" }, { name: "notebook", models: ["sim-small"] }], revoke: [old.id] } });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { created: { id: string; name: string; key: string; models: string[] | null }[]; revoked: { id: string; revoked: boolean }[] };
    expect(body.created.map((k) => [k.name, k.models])).toEqual([["ci", null], ["notebook", ["sim-small"]]]);
    expect(body.revoked).toEqual([{ id: old.id, object: "api_key", revoked: true }]);

    expect((await chat(body.created[0]!.key)).status).toBe(200);
    expect((await chat(body.created[1]!.key, "hi", { model: "sim-alias" })).status).toBe(403);
    expect((await chat(old.key)).status).toBe(401);
    // Shown once: the list never carries a key.
    expect(JSON.stringify(await (await call("/api/keys", { key: user.token })).json())).not.toContain(body.created[0]!.key);
  });

  it("takes 100 of each (more than one D1 statement can bind)", async () => {
    const user = await userWithKey();
    const made = await call("/api/keys/batch", { method: "POST", key: user.token, json: { create: Array.from({ length: 100 }, (_, i) => ({ name: `bulk-${i}` })) } });
    expect(made.status).toBe(201);
    const created = ((await made.json()) as { created: { id: string; key: string }[] }).created;
    expect(new Set(created.map((k) => k.key)).size).toBe(100);
    const revoked = await call("/api/keys/batch", { method: "POST", key: user.token, json: { revoke: created.map((k) => k.id) } });
    expect(revoked.status).toBe(200);
    expect((await chat(created[99]!.key)).status).toBe(401);
  });

  it("changes nothing when one item is bad, and names it", async () => {
    const user = await userWithKey();
    const other = await userWithKey();
    const mine = (await (await call("/api/keys", { method: "POST", key: user.token, json: { name: "mine" } })).json()) as { id: string; key: string };
    const theirs = ((await (await call("/api/keys", { key: other.token })).json()) as { data: { id: string }[] }).data[0]!.id;
    const count = async () => ((await (await call("/api/keys", { key: user.token })).json()) as { data: unknown[] }).data.length;
    const before = await count();

    const foreign = await call("/api/keys/batch", { method: "POST", key: user.token, json: { create: [{ name: "new" }], revoke: [mine.id, theirs] } });
    expect(foreign.status).toBe(404);
    expect((await errorOf(foreign)).param).toBe("revoke.1");

    const badName = await call("/api/keys/batch", { method: "POST", key: user.token, json: { create: [{ name: "fine" }, { name: "" }], revoke: [mine.id] } });
    expect(badName.status).toBe(400);
    expect((await errorOf(badName)).param).toBe("create.1.name");

    expect(await count()).toBe(before);
    expect((await chat(mine.key)).status).toBe(200);
  });
});
