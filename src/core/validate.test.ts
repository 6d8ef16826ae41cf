import { describe, expect, it } from "vitest";
import { z } from "zod";
import { GatewayError } from "./errors.ts";
import { gatewayErrorOf } from "./gateway-error.testkit.ts";
import { MAX_JSON_DEPTH, parseInput, pathTooDeep, readJson } from "./validate.ts";
import { estimateTokens, textLength } from "./usage.ts";


/** A body whose `extra` field nests `depth` objects deep, built without recursion. */
function nested(depth: number): string {
  return `{"model":"m","messages":[{"role":"user","content":"hi","extra":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}]}`;
}

describe("parseInput", () => {
  const schema = z.strictObject({ name: z.string(), models: z.array(z.union([z.string(), z.strictObject({ name: z.string() })])).optional() });

  it("names an unknown field with a 400", () => {
    const e = gatewayErrorOf(() => parseInput(schema, { name: "x", weight: 3, fallback: "y" }));
    expect(e.status).toBe(400);
    expect(e.code).toBe("unknown_field");
    expect(e.param).toBe("weight");
    expect(e.message).toContain("'weight', 'fallback'");
  });

  it("names an unknown field inside the object form of a union", () => {
    const e = gatewayErrorOf(() => parseInput(schema, { name: "x", models: ["a", { name: "b", headers: {} }] }));
    expect(e.param).toBe("models.1.headers");
    expect(e.code).toBe("unknown_field");
  });
});

describe("nesting bound", () => {
  it("finds the path of a value nested past the limit, iteratively", () => {
    expect(pathTooDeep(JSON.parse(nested(MAX_JSON_DEPTH - 10)))).toBeUndefined();
    const path = pathTooDeep(JSON.parse(nested(10_000)));
    expect(path?.slice(0, 4)).toEqual(["messages", "0", "extra", "a"]);
  });

  it("answers a 5,000-level body with a 400 naming the field, not a 500", async () => {
    const body = nested(5_000);
    expect(body.length).toBeGreaterThan(29_000);
    const e = await readJson(new Request("http://x", { method: "POST", body })).then(
      () => undefined,
      (error: unknown) => error as GatewayError,
    );
    expect(e).toBeInstanceOf(GatewayError);
    expect(e).toMatchObject({ status: 400, param: "messages.0.extra", code: "too_deep" });
  });

  it("estimates tokens of a deep or very wide value without recursion", () => {
    const deep = JSON.parse(nested(100_000)) as { messages: unknown };
    expect(textLength(deep.messages)).toBe("user".length + "hi".length);
    const wide = { messages: Array.from({ length: 300_000 }, () => "abcd") };
    expect(estimateTokens(wide)).toBe(300_000 + 256);
  });
});
