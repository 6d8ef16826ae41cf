import { describe, expect, it } from "vitest";
import { complexityOf } from "./complexity.ts";

const fence = "```ts\nconst x = 1;\n```\n";

describe("complexityOf", () => {
  it("scores a greeting near 0 and stays within [0, 1] for anything", () => {
    expect(complexityOf("")).toBe(0);
    expect(complexityOf("hi, how are you?")).toBeLessThan(0.01);
    const everything = "prove analyze refactor optimize debug step by step 证明 分析\n" + fence.repeat(10) + "x".repeat(50_000);
    expect(complexityOf(everything)).toBe(1);
  });

  it("grows with length and saturates around 8,000 characters", () => {
    const at = (n: number) => complexityOf("a ".repeat(n / 2));
    expect(at(2_000)).toBeLessThan(at(4_000));
    expect(at(4_000)).toBeLessThan(at(8_000));
    expect(at(8_000)).toBe(at(40_000));
  });

  it("counts fenced code blocks", () => {
    const plain = "please look at this";
    expect(complexityOf(`${plain}\n${fence}`)).toBeGreaterThan(complexityOf(plain));
    expect(complexityOf(`${plain}\n${fence}${fence}`)).toBeGreaterThan(complexityOf(`${plain}\n${fence}`));
  });

  it("counts kinds of demanding work in English and Chinese, each kind once", () => {
    const base = complexityOf("tell me about the number two");
    const proveEn = complexityOf("prove that the square root of two is irrational");
    const proveZh = complexityOf("证明根号二是无理数");
    expect(proveEn).toBeGreaterThan(base);
    expect(proveZh).toBeGreaterThan(base);
    expect(complexityOf("prove it, prove it, proof")).toBe(complexityOf("prove it, xxxxx xx, xxxxx")); // same length
    expect(complexityOf("analyze this and refactor it")).toBeGreaterThan(complexityOf("analyze this"));
    for (const zh of ["分析这段代码", "推理一下", "优化这个查询", "重构这个函数", "调试这个错误"]) expect(complexityOf(zh)).toBeGreaterThan(0.15);
    for (const en of ["Analyzing the logs", "please OPTIMISE", "debugging help", "explain step by step"]) expect(complexityOf(en)).toBeGreaterThan(0.15);
  });

  it("does not take a keyword inside another word", () => {
    expect(complexityOf("improve the wording")).toBe(complexityOf("change the wording"));
  });

  it("is deterministic", () => {
    const text = "重构 and optimize:\n" + fence + "y".repeat(3_000);
    expect(complexityOf(text)).toBe(complexityOf(text));
  });
});
