import { describe, expect, it } from "vitest";
import { errorFromFailure, errorFromUpstream, scrub } from "./upstream-error.ts";

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

describe("errors from upstream", () => {
  it("passes on a short, scrubbed excerpt of the provider's own JSON error", async () => {
    const long = `Invalid key sk-live-abcdefghijklmnop for org; Authorization: Bearer abc.def.ghijklmnop ${"x".repeat(500)}`;
    const e = await errorFromUpstream(json(400, { error: { message: long } }), "acme", "sk-live-abcdefghijklmnop");
    expect(e.status).toBe(400);
    expect(e.message).not.toContain("sk-live");
    expect(e.message).not.toContain("abc.def.ghijklmnop");
    expect(e.message.length).toBeLessThan(300);
  });

  it("reduces a body that is not the provider's JSON error to its status", async () => {
    const html = new Response("<html>db password hunter2</html>", { status: 500, headers: { "content-type": "text/html" } });
    expect((await errorFromUpstream(html, "acme")).message).toBe("provider 'acme' failed: HTTP 500");
    const text = new Response("upstream connect error", { status: 502, headers: { "content-type": "text/plain" } });
    expect((await errorFromUpstream(text, "acme")).message).not.toContain("connect error");
    const otherJson = json(500, { detail: "stack trace at /srv/app.py line 12" });
    expect((await errorFromUpstream(otherJson, "acme")).message).toBe("provider 'acme' failed: HTTP 500");
  });

  it("keeps 429 and 503 as capacity signals with their Retry-After", async () => {
    const limited = await errorFromUpstream(json(429, { error: { message: "slow down" } }, { "retry-after": "7" }), "acme");
    expect(limited).toMatchObject({ status: 429, code: "upstream_rate_limited", retryAfter: 7 });
    expect((await errorFromUpstream(json(503, { error: "busy" }), "acme")).status).toBe(503);
  });

  it("says what an opaque runtime failure means and names the host", () => {
    const dns = errorFromFailure(new Error("internal error; reference = abc123"), "acme", "llm.example.com", false);
    expect(dns.message).toBe("could not reach provider 'acme' at llm.example.com: the host name did not resolve or the connection could not be made");
    expect(dns.code).toBe("upstream_unreachable");
    expect(errorFromFailure(new Error("Network connection lost."), "acme", "10.0.0.1:80", false).message).toContain("connection failed");
    expect(errorFromFailure(new Error("x"), "acme", "h", true).status).toBe(504);
  });

  it("scrub removes control characters and cuts long text", () => {
    expect(scrub("a\u0000b\nc")).toBe("a b c");
    expect(scrub("y".repeat(1000)).length).toBe(201);
  });
});
