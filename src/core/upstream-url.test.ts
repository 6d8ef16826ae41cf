import { describe, expect, it } from "vitest";
import { upstreamUrlProblem, withoutCredentials } from "./upstream-url.ts";

/** Every address the hardening issue reproduced, plus the spellings around them. */
const REFUSED = [
  "http://169.254.169.254/latest/meta-data",
  "http://127.0.0.1",
  "http://127.0.0.1:8786/v1",
  "http://0.0.0.0",
  "http://[::1]",
  "http://2130706433",
  "http://0x7f000001",
  "http://0x7f.0x0.0x0.0x1",
  "http://017700000001",
  "http://0177.0.0.1",
  "http://127.1",
  "http://127.0.1",
  "http://[::ffff:127.0.0.1]",
  "http://[::ffff:7f00:1]",
  "http://[0:0:0:0:0:ffff:169.254.169.254]",
  "http://[::127.0.0.1]",
  "http://[64:ff9b::10.0.0.1]",
  "http://[2002:a9fe:a9fe::]",
  "http://[::]",
  "http://[fe80::1]",
  "http://[fd00:ec2::254]",
  "http://[fc00::1]",
  "http://10.0.0.1",
  "http://10.255.255.255",
  "http://172.16.0.1",
  "http://172.31.255.254",
  "http://192.168.1.1",
  "http://100.64.0.1",
  "http://198.18.0.1",
  "http://224.0.0.1",
  "http://255.255.255.255",
  "http://metadata.google.internal",
  "http://metadata.google.internal./computeMetadata/v1/",
  "http://METADATA.GOOGLE.INTERNAL",
  "http://metadata",
  "http://localhost:11434",
  "http://LOCALHOST.",
  "http://api.localhost",
  "http://printer.local",
  "http://ollama:11434",
  "http://%31%32%37.0.0.1",
  "http://localhost..",
  "http://metadata.google.internal..",
  "http://[::ffff:0:7f00:1]",
  "http://[::ffff:0:a9fe:a9fe]",
  "http://[64:ff9b:1::a00:1]",
  "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]",
];

const ALLOWED = [
  "https://api.openai.com/v1",
  "https://api.deepseek.com/v1",
  "https://dashscope.aliyuncs.com/compatible-mode/v1",
  "http://8.8.8.8",
  "http://172.32.0.1",
  "http://100.128.0.1",
  "http://[2606:4700:4700::1111]",
  "http://[::ffff:8.8.8.8]",
  "https://my-llm.example.com:8443/openai",
];

describe("upstreamUrlProblem", () => {
  it.each(REFUSED)("refuses %s unless private upstreams are allowed", (url) => {
    expect(upstreamUrlProblem(url, false)).toMatch(/refused unless ALLOW_PRIVATE_UPSTREAMS=true/);
    expect(upstreamUrlProblem(url, true)).toBeUndefined();
  });

  it.each(ALLOWED)("allows the public address %s", (url) => {
    expect(upstreamUrlProblem(url, false)).toBeUndefined();
  });

  it("refuses credentials in the URL and non-http schemes even when private upstreams are allowed", () => {
    expect(upstreamUrlProblem("http://user:pass@api.example.com/v1", true)).toMatch(/credentials/);
    expect(upstreamUrlProblem("https://token@api.example.com", true)).toMatch(/credentials/);
    for (const scheme of ["file:///etc/passwd", "ftp://example.com", "gopher://example.com", "javascript:alert(1)"]) {
      expect(upstreamUrlProblem(scheme, true)).toMatch(/http or https/);
    }
    expect(upstreamUrlProblem("not a url", true)).toMatch(/not a valid URL/);
  });

  it("strips credentials from a stored address before showing it", () => {
    expect(withoutCredentials("http://user:pass@api.example.com/v1")).toBe("http://api.example.com/v1");
    expect(withoutCredentials("https://api.example.com/v1")).toBe("https://api.example.com/v1");
  });
});
