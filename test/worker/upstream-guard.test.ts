import { describe, expect, it } from "vitest";
import { ADMIN, adminKey, call, callWith, chat, simStats, simUrl } from "./helpers.ts";

/** The production defaults: private upstreams refused (and no configured providers in the way). */
const PRODUCTION = { ALLOW_PRIVATE_UPSTREAMS: undefined, PROVIDERS: "[]" };

/** The addresses the hardening probe got accepted, and more spellings of the same hosts. */
const PROBED = [
  "http://169.254.169.254/latest/meta-data",
  "http://127.0.0.1",
  "http://0.0.0.0",
  "http://[::1]",
  "http://2130706433",
  "http://0x7f000001",
  "http://127.1",
  "http://[::ffff:127.0.0.1]",
  "http://10.0.0.1",
  "http://192.168.1.1",
  "http://metadata.google.internal",
  "http://0177.0.0.1",
  "http://0x7f.1",
  "http://[::ffff:a9fe:a9fe]",
  "http://[fd00:ec2::254]",
  "http://100.100.100.200",
  "http://localhost:11434/v1",
];

function provider(name: string, extra: Record<string, unknown> = {}) {
  return { name, type: "openai-compatible", base_url: `${simUrl()}/v1`, api_key: "sk-sim-test", limits: { max_concurrency: 2 }, models: [`${name}-model`], ...extra };
}

describe("the upstream address guard", () => {
  it("refuses every probed address, in every spelling, when private upstreams are not allowed", async () => {
    for (const [i, base_url] of PROBED.entries()) {
      const res = await callWith(PRODUCTION, "/api/providers", { method: "POST", key: ADMIN, json: provider(`ssrf${i}`, { base_url }) });
      expect(res.status, base_url).toBe(400);
      const { error } = (await res.json()) as { error: { param: string; message: string } };
      expect(error.param, base_url).toBe("base_url");
      expect(error.message).toMatch(/ALLOW_PRIVATE_UPSTREAMS/);
    }
    // A public address is fine; an update to a private one is refused like a create.
    const ok = await callWith(PRODUCTION, "/api/providers", { method: "POST", key: ADMIN, json: provider("public1", { base_url: "https://api.example.com/v1" }) });
    expect(ok.status).toBe(201);
    const { id } = (await ok.json()) as { id: string };
    const patched = await callWith(PRODUCTION, `/api/providers/${id}`, { method: "PATCH", key: ADMIN, json: { base_url: "http://[::ffff:127.0.0.1]:8080" } });
    expect(patched.status).toBe(400);
    expect(((await patched.json()) as { error: { param: string } }).error.param).toBe("base_url");
    // A type whose default address is loopback (ollama) is refused too.
    const ollama = await callWith(PRODUCTION, "/api/providers", { method: "POST", key: ADMIN, json: { ...provider("ollama1"), type: "ollama", base_url: undefined } });
    expect(ollama.status).toBe(400);
    await call(`/api/providers/${id}`, { method: "DELETE", key: ADMIN });
  });

  it("refuses credentials in a base URL and schemes other than http(s), even where private upstreams are allowed", async () => {
    const creds = await call("/api/providers", { method: "POST", key: ADMIN, json: provider("creds", { base_url: "http://user:pass@api.example.com/v1" }) });
    expect(creds.status).toBe(400);
    const body = (await creds.json()) as { error: { param: string; message: string } };
    expect(body.error.param).toBe("base_url");
    expect(JSON.stringify(body)).not.toContain("pass@");
    expect((await call("/api/providers", { method: "POST", key: ADMIN, json: provider("files", { base_url: "file:///etc/passwd" }) })).status).toBe(400);
  });

  it("refuses at start-up a configured provider on a private address, or whose key secret is not set", async () => {
    const privateConfig = await callWith({ ALLOW_PRIVATE_UPSTREAMS: undefined }, "/health");
    expect(privateConfig.status).toBe(503);
    expect(((await privateConfig.json()) as { error: { code: string } }).error.code).toBe("gateway_misconfigured");
    const unsetSecret = JSON.stringify([{ ...provider("cfg"), api_key: "${NOT_SET_ANYWHERE}" }]);
    expect((await callWith({ PROVIDERS: unsetSecret }, "/health")).status).toBe(503);
    expect((await callWith({ PROVIDERS: unsetSecret }, "/v1/models", { key: ADMIN })).status).toBe(500);
    // The same provider with the secret set is fine.
    expect((await callWith({ PROVIDERS: unsetSecret, NOT_SET_ANYWHERE: "sk-sim-test" }, "/health")).status).toBe(200);
  });

  it("refuses a provider whose key references a secret that is not set, naming api_key", async () => {
    const res = await call("/api/providers", { method: "POST", key: ADMIN, json: provider("nosecret", { api_key: "${NO_SUCH_SECRET}" }) });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { param: string; message: string } };
    expect(error.param).toBe("api_key");
    expect(error.message).toContain("NO_SUCH_SECRET");
    // A secret that is set is accepted.
    expect((await call("/api/providers", { method: "POST", key: ADMIN, json: provider("withsecret", { api_key: "${SIM_API_KEY}" }) })).status).toBe(201);
  });

  it("checks the address again at call time: a stored private provider is not called once private upstreams are refused", async () => {
    expect((await call("/api/providers", { method: "POST", key: ADMIN, json: provider("stored") })).status).toBe(201);
    const key = await adminKey();
    const before = (await simStats()).requests;
    const res = await callWith(PRODUCTION, "/v1/chat/completions", { method: "POST", key, json: { model: "stored-model", messages: [{ role: "user", content: "hi" }] } });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("upstream_address_refused");
    expect((await simStats()).requests).toBe(before);
  });

  it("never follows an upstream redirect (the key would go along): 502 upstream_redirect", async () => {
    const key = await adminKey();
    const before = (await simStats()).requests;
    const res = await chat(key, "go [sim:fault=redirect]");
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("upstream_redirect");
    // One request reached the upstream: the redirect was not followed.
    expect((await simStats()).requests).toBe(before + 1);
  });

  it("passes on no text from an upstream error that is not the provider's own JSON error", async () => {
    const res = await chat(await adminKey(), "x [sim:fault=html]");
    expect(res.status).toBe(502);
    const text = await res.text();
    for (const leak of ["hunter2", "internal-secret-token", "admin console", "<html"]) expect(text).not.toContain(leak);
    expect(JSON.parse(text).error.message).toMatch(/HTTP 500/);
  });

  it("answers a host that does not resolve with 502 upstream_unreachable naming the host", async () => {
    await call("/api/providers", { method: "POST", key: ADMIN, json: provider("nodns", { base_url: "http://no-such-host.invalid/v1" }) });
    const res = await chat(await adminKey(), "hi", { model: "nodns-model" });
    expect(res.status).toBe(502);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("upstream_unreachable");
    expect(error.message).toContain("no-such-host.invalid");
    expect(error.message).not.toMatch(/internal error; reference/);
  });
});
