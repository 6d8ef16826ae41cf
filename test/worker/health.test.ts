import { describe, expect, it } from "vitest";
import { call } from "./helpers.ts";

describe("health", () => {
  it("answers 200 without a credential", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});
