import { describe, expect, it } from "vitest";
import { ADMIN, adminKey, call, simUrl, userWithKey } from "./helpers.ts";

/** Seed 003's paths answer as the routes they stand for: same auth, same answer. */
describe("seed 003's aliases", () => {
  const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, any> });
  const provider = (name: string) => ({ name, type: "openai-compatible", base_url: `${simUrl()}/v1`, api_key: "${SIM_API_KEY}", limits: { max_concurrency: 2 }, models: [`${name}-model`] });

  it("POST /api/v1/chat/completions is POST /v1/chat/completions", async () => {
    const key = await adminKey();
    const body = { model: "sim-small", messages: [{ role: "user", content: "same answer" }] };
    const [alias, original] = [await json(await call("/api/v1/chat/completions", { method: "POST", key, json: body })), await json(await call("/v1/chat/completions", { method: "POST", key, json: body }))];
    expect(alias.status).toBe(200);
    const gist = (r: typeof alias) => ({ status: r.status, object: r.body.object, model: r.body.model, content: r.body.choices[0].message.content });
    expect(gist(alias)).toEqual(gist(original));
    // The same checks: a key is needed, the body is validated, other methods are a 405.
    expect((await call("/api/v1/chat/completions", { method: "POST", json: body })).status).toBe(401);
    expect((await call("/api/v1/chat/completions", { method: "POST", key, json: { ...body, messages: "x" } })).status).toBe(400);
    const wrongMethod = await call("/api/v1/chat/completions", { key });
    expect([wrongMethod.status, wrongMethod.headers.get("allow")]).toEqual([405, "POST"]);
  });

  it("GET /api/v1/chat/models is GET /v1/models", async () => {
    const { key } = await userWithKey();
    const [alias, original] = [await json(await call("/api/v1/chat/models", { key })), await json(await call("/v1/models", { key }))];
    expect(alias).toEqual(original);
    expect(alias.body.data.map((m: { id: string }) => m.id)).toContain("sim-small");
    expect((await call("/api/v1/chat/models")).status).toBe(401);
  });

  it("GET and POST /api/v1/providers are /api/providers (admin only)", async () => {
    const created = await json(await call("/api/v1/providers", { method: "POST", key: ADMIN, json: provider("alias-made") }));
    expect(created.status).toBe(201);
    expect(await json(await call(`/api/providers/${created.body.id}`, { key: ADMIN }))).toEqual({ status: 200, body: created.body });
    expect(await json(await call("/api/v1/providers", { key: ADMIN }))).toEqual(await json(await call("/api/providers", { key: ADMIN })));
    const user = await userWithKey();
    expect((await call("/api/v1/providers", { key: user.key })).status).toBe(403);
    expect((await call("/api/v1/providers", { method: "POST", key: user.key, json: provider("nope") })).status).toBe(403);
  });

  it("GET /api/v1/providers/{id} is GET /api/providers/{id}", async () => {
    for (const id of ["alias-made", "config:sim"]) {
      const alias = await json(await call(`/api/v1/providers/${id}`, { key: ADMIN }));
      expect(alias.status).toBe(200);
      expect(alias).toEqual(await json(await call(`/api/providers/${id}`, { key: ADMIN })));
    }
    expect((await call("/api/v1/providers/no-such", { key: ADMIN })).status).toBe(404);
  });

  it("POST /api/v1/providers/{id}/health is POST /api/providers/{id}/health", async () => {
    // Probes are real calls: compare what does not change from one probe to the next.
    const gist = ({ status, body }: { status: number; body: Record<string, any> }) => ({ status, provider: body.provider, results: body.results.map((r: { deployment: string; ok: boolean }) => [r.deployment, r.ok]), deployments: body.deployments.map((d: { id: string }) => d.id) });
    const alias = await json(await call("/api/v1/providers/alias-made/health", { method: "POST", key: ADMIN }));
    expect(alias.status).toBe(200);
    expect(gist(alias)).toEqual(gist(await json(await call("/api/providers/alias-made/health", { method: "POST", key: ADMIN }))));
    expect(gist(alias).results).toEqual([["alias-made/default/alias-made-model", true]]);
  });

  it("GET and POST /api/v1/providers/{id}/models are /api/providers/{id}/models", async () => {
    const added = await json(await call("/api/v1/providers/alias-made/models", { method: "POST", key: ADMIN, json: { name: "alias-extra", upstream_model: "sim-large", max_tokens: 256 } }));
    expect(added).toEqual({ status: 201, body: expect.objectContaining({ name: "alias-extra", upstream_model: "sim-large", max_tokens: 256 }) });
    const listed = await json(await call("/api/v1/providers/alias-made/models", { key: ADMIN }));
    expect(listed).toEqual(await json(await call("/api/providers/alias-made/models", { key: ADMIN })));
    expect(listed.body.data.map((m: { name: string }) => m.name)).toEqual(["alias-made-model", "alias-extra"]);
    // The model serves at once; a name the provider already serves is a 409; a configured provider is read-only.
    expect((await call("/v1/chat/completions", { method: "POST", key: await adminKey(), json: { model: "alias-extra", messages: [{ role: "user", content: "hi" }] } })).status).toBe(200);
    expect((await call("/api/v1/providers/alias-made/models", { method: "POST", key: ADMIN, json: { name: "alias-extra" } })).status).toBe(409);
    expect((await call("/api/v1/providers/config:sim/models", { method: "POST", key: ADMIN, json: { name: "more" } })).status).toBe(409);
    expect((await call("/api/v1/providers/alias-made/models", { method: "POST", key: ADMIN, json: { name: "x", colour: "red" } })).status).toBe(400);
  });
});
