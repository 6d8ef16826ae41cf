import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { ADMIN, adminKey, call, chat, simUrl, userWithKey } from "./helpers.ts";

/** The simulator's key: sealed in D1 when given as is. */
const SEALED_PLAIN = "sk-sim-test";
const TOKEN_PLAIN = "tok-plain-9d2c41e7";

type Doc = { version: number; providers: Record<string, any>[]; routing: Record<string, unknown>; rules: Record<string, any>[]; prices: Record<string, unknown> };

const exported = async (format = "json") => call(`/api/config/export?format=${format}`, { key: ADMIN });
const exportJson = async () => (await (await exported()).json()) as Doc;
const importDoc = (doc: unknown, query = "") => call(`/api/config/import${query}`, { method: "POST", key: ADMIN, json: doc });
/** A YAML body as text (workerd warns when .text() reads a type it does not know as text). */
const textOf = async (res: Response) => new TextDecoder().decode(await res.arrayBuffer());
const errorOf = async (res: Response) => ((await res.json()) as { error: { param: string; code: string; message: string } }).error;

/** The document with each "(sealed)" credential replaced by `key`. */
function withKeys(doc: Doc, key: string): Doc {
  const text = JSON.stringify(doc).replaceAll('"(sealed)"', JSON.stringify(key));
  return JSON.parse(text) as Doc;
}

async function setUp() {
  const base = `${simUrl()}/v1`;
  const providers = [
    { name: "c-sealed", type: "openai-compatible", base_url: base, api_key: SEALED_PLAIN, limits: { max_concurrency: 3, rpm: 600 }, overrides: { defaults: { temperature: 0.2 } }, models: ["c-small", { name: "c-large", upstream_model: "sim-large", max_tokens: 512, priority: 1, weight: 2 }] },
    { name: "c-ref", type: "openai-compatible", base_url: base, api_key: "${SIM_API_KEY}", limits: { max_concurrency: 2 }, breaker: { failures: 3 }, models: ["c-small"] },
    { name: "c-multi", type: "openai-compatible", base_url: base, keys: [{ name: "one", api_key: SEALED_PLAIN }, { name: "two", api_key: "${SIM_API_KEY}", limits: { max_concurrency: 1 } }], limits: { max_concurrency: 2 }, models: ["c-multi-model"] },
    { name: "c-token", type: "token-auth", base_url: base, token: TOKEN_PLAIN, limits: { max_concurrency: 1 }, models: ["c-token-model"] },
  ];
  for (const p of providers) expect((await call("/api/providers", { method: "POST", key: ADMIN, json: p })).status).toBe(201);
  expect((await call("/api/routing", { method: "PUT", key: ADMIN, json: { strategy: "weighted", models: { "c-small": { strategy: "least-busy", aliases: ["c-alias"] } } } })).status).toBe(200);
  const rule = { name: "long to large", priority: 5, condition: { type: "complexity", min: 0.5 }, action: { type: "use_model", model: "c-large" } };
  expect((await call("/api/v1/router/rules", { method: "POST", key: ADMIN, json: rule })).status).toBe(201);
  expect((await call("/api/prices/c-small", { method: "PUT", key: ADMIN, json: { input: 0.5, output: 1.5, cached_input: 0.1 } })).status).toBe(200);
}

describe("config export and import", () => {
  it("exports providers, routing and rules, and never a secret", async () => {
    await setUp();
    const res = await exported();
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const secret of [SEALED_PLAIN, TOKEN_PLAIN]) expect(text).not.toContain(secret);

    const doc = JSON.parse(text) as Doc;
    expect(doc.version).toBe(1);
    expect(doc.providers.map((p) => p.name)).toEqual(["c-sealed", "c-ref", "c-multi", "c-token"]);
    const [sealed, ref, multi, token] = doc.providers;
    expect(sealed).toMatchObject({ api_key: "(sealed)", limits: { max_concurrency: 3, rpm: 600 }, overrides: { defaults: { temperature: 0.2 } }, models: ["c-small", { name: "c-large", upstream_model: "sim-large", max_tokens: 512, priority: 1, weight: 2 }] });
    expect(ref).toMatchObject({ api_key: "${SIM_API_KEY}", breaker: { failures: 3 } });
    expect(multi!.keys).toEqual([{ name: "one", api_key: "(sealed)" }, { name: "two", api_key: "${SIM_API_KEY}", limits: { max_concurrency: 1 } }]);
    expect(token).toMatchObject({ type: "token-auth", token: "(sealed)" });
    expect(doc.routing).toEqual({ strategy: "weighted", models: { "c-small": { strategy: "least-busy", aliases: ["c-alias"] } } });
    expect(doc.rules).toEqual([expect.objectContaining({ name: "long to large", priority: 5, enabled: true, condition: { type: "complexity", min: 0.5 }, action: { type: "use_model", model: "c-large" } })]);

    const yaml = await exported("yaml");
    expect(yaml.headers.get("content-type")).toContain("application/yaml");
    const yamlText = await textOf(yaml);
    expect(yamlText).not.toContain(SEALED_PLAIN);
    expect(parse(yamlText)).toEqual(doc);
  });

  it("round-trips: export, import into an empty gateway with the keys supplied, export the same document", async () => {
    const original = await exportJson();

    // Emptied: replace mode deletes what a document does not name (configured providers stay).
    expect(original.prices).toEqual({ "c-small": { input: 0.5, output: 1.5, cached_input: 0.1 } });
    const emptied = await importDoc({ providers: [], routing: {}, rules: [], prices: {} }, "?mode=replace");
    expect(emptied.status).toBe(200);
    expect(((await emptied.json()) as { summary: Record<string, number> }).summary).toMatchObject({ delete: 7 });
    expect(await exportJson()).toEqual({ version: 1, providers: [], routing: {}, rules: [], prices: {} });
    expect((await chat(await adminKey(), "hi", { model: "c-small" })).status).toBe(404);

    // A sealed key cannot come from a gateway that does not store it.
    const refused = await importDoc(original);
    expect(refused.status).toBe(400);
    expect(await errorOf(refused)).toMatchObject({ param: "providers.0.api_key", code: "sealed_key_missing" });
    expect((await exportJson()).providers).toEqual([]);

    const res = await importDoc(withKeys(original, SEALED_PLAIN));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { summary: Record<string, number> }).summary).toEqual({ create: 7, update: 0, delete: 0, unchanged: 0 });
    expect(await exportJson()).toEqual(original);

    // The imported keys, routing and aliases serve.
    const key = await adminKey();
    for (const model of ["c-large", "c-alias", "c-multi-model"]) expect((await chat(key, "hi", { model })).status).toBe(200);

    // Importing the export again keeps every sealed key ("(sealed)" = keep the stored one) and changes nothing.
    const again = await importDoc(original);
    expect(((await again.json()) as { summary: Record<string, number> }).summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 7 });
    expect((await chat(key, "hi", { model: "c-multi-model" })).status).toBe(200);
  });

  it("a dry run reports the changes and makes none", async () => {
    const before = await exportJson();
    const changed = { ...before, providers: [...before.providers.map((p) => (p.name === "c-ref" ? { ...p, limits: { max_concurrency: 9 } } : p)), { name: "c-new", type: "openai-compatible", base_url: `${simUrl()}/v1`, api_key: "${SIM_API_KEY}", limits: { max_concurrency: 1 }, models: ["c-new-model"] }], rules: [] };
    const res = await importDoc(changed, "?dry_run=true&mode=replace");
    expect(res.status).toBe(200);
    const report = (await res.json()) as { dry_run: boolean; changes: { section: string; name: string; action: string }[] };
    expect(report.dry_run).toBe(true);
    expect(report.changes).toEqual(
      expect.arrayContaining([
        { section: "providers", name: "c-ref", action: "update" },
        { section: "providers", name: "c-new", action: "create" },
        { section: "providers", name: "c-sealed", action: "unchanged" },
        expect.objectContaining({ section: "rules", name: "long to large", action: "delete" }),
      ]),
    );
    expect(await exportJson()).toEqual(before);
    expect((await chat(await adminKey(), "hi", { model: "c-new-model" })).status).toBe(404);
  });

  it("takes YAML", async () => {
    const yaml = await textOf(await exported("yaml"));
    const same = await call("/api/config/import", { method: "POST", key: ADMIN, body: yaml, headers: { "content-type": "application/yaml" } });
    expect(((await same.json()) as { summary: Record<string, number> }).summary).toMatchObject({ create: 0, update: 0, unchanged: 7 });

    const added = `providers:\n  - name: c-yaml\n    type: openai-compatible\n    base_url: ${simUrl()}/v1\n    api_key: \${SIM_API_KEY}\n    limits: { max_concurrency: 1 }\n    models: [c-yaml-model]\n`;
    const res = await call("/api/config/import", { method: "POST", key: ADMIN, body: added, headers: { "content-type": "text/yaml" } });
    expect(res.status).toBe(200);
    expect((await chat(await adminKey(), "hi", { model: "c-yaml-model" })).status).toBe(200);

    const broken = await call("/api/config/import", { method: "POST", key: ADMIN, body: "providers: [\n  - name: x\n", headers: { "content-type": "application/yaml" } });
    expect(broken.status).toBe(400);
    expect((await errorOf(broken)).code).toBe("invalid_yaml");
  });

  it("checks the whole document first: a bad part is a 400 naming its path, and nothing changes", async () => {
    const before = await exportJson();
    const good = { name: "c-good", type: "openai-compatible", base_url: `${simUrl()}/v1`, api_key: "${SIM_API_KEY}", limits: { max_concurrency: 1 }, models: ["c-good-model"] };
    const cases: [unknown, string][] = [
      [{ providers: [good, { ...good, name: "c-bad", colour: "red" }] }, "providers.1.colour"],
      [{ providers: [good], colours: [] }, "colours"],
      [{ providers: [good], prices: { "c-good-model": { input: -1, output: 1 } } }, "prices.c-good-model.input"],
      [{ providers: [good, { ...good, name: "c-leak", base_url: "http://user:pw@example.com/v1" }] }, "providers.1.base_url"],
      [{ providers: [good, { ...good, name: "c-nokey", api_key: "${NOT_SET_ANYWHERE}" }] }, "providers.1.api_key"],
      [{ providers: [good, good] }, "providers.1.name"],
      [{ providers: [good], rules: [{ name: "r", condition: { type: "regex", pattern: "(", target: "prompt" }, action: { type: "use_model", model: "x" } }] }, "rules.0.condition.pattern"],
      [{ providers: [good], routing: { models: { "c-good-model": { aliases: ["c-large"] } } } }, "routing.models.c-good-model.aliases"],
      [{ version: 2 }, "version"],
    ];
    for (const [doc, param] of cases) {
      const res = await importDoc(doc);
      expect(res.status, param).toBe(400);
      expect((await errorOf(res)).param).toBe(param);
    }
    expect(await exportJson()).toEqual(before);
    expect((await call("/api/config/import?mode=all", { method: "POST", key: ADMIN, json: {} })).status).toBe(400);
    // The marker is for imports only: the provider routes refuse it rather than store it as a key.
    const marker = await call("/api/providers", { method: "POST", key: ADMIN, json: { ...good, name: "c-marker", api_key: "(sealed)" } });
    expect(marker.status).toBe(400);
    expect((await errorOf(marker)).param).toBe("api_key");
  });

  it("is for admins", async () => {
    const user = await userWithKey();
    expect((await call("/api/config/export", { key: user.key })).status).toBe(403);
    expect((await call("/api/config/import", { method: "POST", key: user.key, json: {} })).status).toBe(403);
  });
});
