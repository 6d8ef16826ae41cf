import { describe, expect, it } from "vitest";
import { applyOverrides, parameterOverrides } from "./overrides.ts";

describe("parameterOverrides", () => {
  it("accepts defaults, force and remove with dotted paths", () => {
    const o = { defaults: { temperature: 0.2, "generationConfig.topP": 0.9 }, force: { max_tokens: 512 }, remove: ["logit_bias", "a.b.c"] };
    expect(parameterOverrides.parse(o)).toEqual(o);
  });

  it("refuses paths that would change what is called, and anything under them", () => {
    for (const path of ["model", "messages", "messages.0.content", "contents", "system", "systemInstruction.parts", "stream"]) {
      expect(parameterOverrides.safeParse({ force: { [path]: 1 } }).success, path).toBe(false);
      expect(parameterOverrides.safeParse({ remove: [path] }).success, path).toBe(false);
    }
    expect(parameterOverrides.safeParse({ force: { stream_options: { include_usage: true }, "metadata.model": "x" } }).success).toBe(true);
  });

  it("refuses unknown fields, empty segments and prototype paths", () => {
    expect(parameterOverrides.safeParse({ set: { temperature: 1 } }).success).toBe(false);
    for (const path of ["", "a..b", ".a", "a.", "__proto__.polluted", "a.constructor.prototype"]) {
      expect(parameterOverrides.safeParse({ defaults: { [path]: 1 } }).success, path).toBe(false);
    }
  });

  it("says which path is wrong", () => {
    const r = parameterOverrides.safeParse({ force: { "messages.0": "hi" } });
    expect(r.error?.issues.map((i) => ({ path: i.path, message: i.message }))).toEqual([
      { path: ["force", "messages.0"], message: expect.stringMatching(/messages cannot be overridden/) },
    ]);
    expect(parameterOverrides.safeParse({ remove: ["top_p", "stream"] }).error?.issues[0]?.path).toEqual(["remove", 1]);
  });
});

describe("applyOverrides", () => {
  it("sets defaults only where the body has none, forces always, removes", () => {
    const body = { model: "m", temperature: 0.7, top_p: undefined, logit_bias: { 1: 2 } };
    const out = applyOverrides(body, [{ defaults: { temperature: 0.2, top_p: 0.9, seed: 7 }, force: { max_tokens: 256 }, remove: ["logit_bias"] }]);
    expect(out).toEqual({ model: "m", temperature: 0.7, top_p: 0.9, seed: 7, max_tokens: 256 });
    expect("logit_bias" in out).toBe(false);
  });

  it("keeps an explicit null against a default", () => {
    expect(applyOverrides({ stop: null }, [{ defaults: { stop: ["\n"] } }])).toEqual({ stop: null });
  });

  it("applies the layers in order: global, provider, deployment", () => {
    const global = { force: { temperature: 0.1 }, defaults: { seed: 1 } };
    const provider = { force: { temperature: 0.5 }, remove: ["seed"] };
    const deployment = { defaults: { seed: 3, temperature: 0.9 } };
    expect(applyOverrides({}, [global, provider, deployment])).toEqual({ temperature: 0.5, seed: 3 });
    expect(applyOverrides({}, [undefined, provider, undefined])).toEqual({ temperature: 0.5 });
  });

  it("sets and removes nested paths, creating objects on the way", () => {
    const body = { contents: [], generationConfig: { temperature: 1, topK: 40 } };
    const out = applyOverrides(body, [{ force: { "generationConfig.temperature": 0.3, "safety.level.max": 2 }, defaults: { "generationConfig.topK": 5 }, remove: ["generationConfig.stopSequences", "generationConfig.topK"] }]);
    expect(out).toEqual({ contents: [], generationConfig: { temperature: 0.3 }, safety: { level: { max: 2 } } });
  });

  it("does not mutate the input, and copies only what it writes", () => {
    const body = { generationConfig: { temperature: 1 }, tools: [{ name: "t" }], untouched: { a: 1 } };
    const before = structuredClone(body);
    const out = applyOverrides(body, [{ force: { "generationConfig.temperature": 0 } }, { remove: ["generationConfig.temperature"] }]);
    expect(body).toEqual(before);
    expect(out.generationConfig).toEqual({});
    expect(out.generationConfig).not.toBe(body.generationConfig);
    expect(out.untouched).toBe(body.untouched);
    expect(out).not.toBe(body);
  });

  it("does not share forced values between calls", () => {
    const layer = { force: { metadata: { tags: ["a"] } } };
    const first = applyOverrides({}, [layer]) as { metadata: { tags: string[] } };
    first.metadata.tags.push("b");
    expect(applyOverrides({}, [layer])).toEqual({ metadata: { tags: ["a"] } });
  });

  it("leaves a path through a non-object alone", () => {
    const body = { response_format: "text", tools: [1, 2] };
    expect(applyOverrides(body, [{ force: { "response_format.type": "json", "tools.0": 9 } }])).toEqual(body);
  });

  it("skips refused paths even when they did not come through the schema", () => {
    const out = applyOverrides({ model: "m", stream: true }, [{ force: { model: "other", "__proto__.polluted": 1 }, remove: ["stream"] }]);
    expect(out).toEqual({ model: "m", stream: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
