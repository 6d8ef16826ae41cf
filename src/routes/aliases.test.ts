import { describe, expect, it } from "vitest";
import { routedPath } from "./aliases.ts";

const path = (p: string) => routedPath(new Request(`http://gateway.test${p}`));

describe("routedPath", () => {
  it("routes seed 003's paths as the ones they stand for", () => {
    expect(path("/api/v1/chat/completions")).toBe("/v1/chat/completions");
    expect(path("/api/v1/chat/models/")).toBe("/v1/models");
    expect(path("/api/v1/providers")).toBe("/api/providers");
    expect(path("/api/v1/providers/abc/health?x=1")).toBe("/api/providers/abc/health");
  });

  it("leaves every other path as it is, a trailing slash dropped", () => {
    expect(path("/api/v1/providersx")).toBe("/api/v1/providersx");
    expect(path("/api/v1/chat/models/gpt-4o")).toBe("/api/v1/chat/models/gpt-4o");
    expect(path("/api/v1/router/rules/")).toBe("/api/v1/router/rules");
    expect(path("/")).toBe("/");
  });
});
