import { describe, expect, it } from "vitest";
import { z } from "zod";
import { GatewayError } from "./errors.ts";
import { gatewayErrorOf } from "./gateway-error.testkit.ts";
import { MAX_JSON_DEPTH, atPath, parseInput, pathTooDeep, readJson, readJsonOrYaml } from "./validate.ts";
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

describe("items of a batch or document", () => {
  const rejected = (work: Promise<unknown>) => work.then(() => undefined, (error: unknown) => error as GatewayError);

  it("names the item in the field and the message", async () => {
    const e = await rejected(atPath("create.2", () => parseInput(z.strictObject({ limits: z.strictObject({ max: z.number().min(1) }) }), { limits: { max: 0 } })));
    expect(e).toMatchObject({ status: 400, param: "create.2.limits.max" });
    expect(e?.message).toMatch(/^create\.2\.limits\.max: /);
    const bare = await rejected(atPath("delete.0", () => { throw new GatewayError("not_found", "no provider 'x'"); }));
    expect(bare).toMatchObject({ status: 404, param: "delete.0", message: "delete.0: no provider 'x'" });
  });
});

describe("readJsonOrYaml", () => {
  const request = (body: string, type: string) => new Request("http://x", { method: "POST", body, headers: { "content-type": type } });

  it("reads YAML by its content type, JSON otherwise", async () => {
    expect(await readJsonOrYaml(request("providers:\n  - name: a\n", "application/yaml; charset=utf-8"))).toEqual({ providers: [{ name: "a" }] });
    expect(await readJsonOrYaml(request("version: 1", "text/yaml"))).toEqual({ version: 1 });
    expect(await readJsonOrYaml(request('{"version":1}', "application/json"))).toEqual({ version: 1 });
  });

  it("answers bad YAML with a 400 that gives the line", async () => {
    const e = await readJsonOrYaml(request("a: 1\nb: [\n", "application/yaml")).then(() => undefined, (error: unknown) => error as GatewayError);
    expect(e).toMatchObject({ status: 400, code: "invalid_yaml" });
    expect(e?.message).toMatch(/line \d/);
  });

  it("refuses a small document whose aliases would expand into a huge one", async () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${"bcdefghi"[i]}: &${"bcdefghi"[i]} [${Array(10).fill(`*${"abcdefgh"[i]}`).join(", ")}]`)].join("\n");
    const e = await readJsonOrYaml(request(bomb, "application/yaml")).then(() => undefined, (error: unknown) => error as GatewayError);
    expect(e).toMatchObject({ status: 400, code: "invalid_yaml" });
  });
});
