import { describe, expect, it } from "vitest";
import { DEFAULT_PRICES } from "./default-prices.ts";
import { costOf, priceFor } from "./price.ts";

const table = new Map(Object.entries(DEFAULT_PRICES));

describe("priceFor", () => {
  it("prices a dated or suffixed version by the longest name it extends", () => {
    expect(priceFor(table, ["gpt-4o-2024-08-06"])).toBe(DEFAULT_PRICES["gpt-4o"]);
    expect(priceFor(table, ["gpt-4o-mini-2024-07-18"])).toBe(DEFAULT_PRICES["gpt-4o-mini"]);
    expect(priceFor(table, ["claude-sonnet-4-5-20250929"])).toBe(DEFAULT_PRICES["claude-sonnet-4-5"]);
  });

  it("tries the upstream model before the public name, and never a mere prefix of a word", () => {
    expect(priceFor(table, ["deepseek-chat", "my-alias"])).toBe(DEFAULT_PRICES["deepseek-chat"]);
    expect(priceFor(table, ["my-deployment", "gpt-4.1"])).toBe(DEFAULT_PRICES["gpt-4.1"]);
    expect(priceFor(table, ["o3x"])).toBeUndefined();
    expect(priceFor(table, ["llama3.1:8b"])).toBeUndefined();
  });
});

describe("costOf", () => {
  it("charges cached reads and cache writes at their own prices", () => {
    const price = { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 };
    // 1000 input of which 600 cached and 200 written; 100 output.
    const cost = costOf(price, { inputTokens: 1000, outputTokens: 100, cachedInputTokens: 600, cacheWriteTokens: 200 });
    expect(cost.listUsd).toBeCloseTo((200 * 3 + 600 * 0.3 + 200 * 3.75 + 100 * 15) / 1e6, 12);
    expect(cost.usd).toBe(cost.listUsd);
  });

  it("takes the task discount off the charged cost only", () => {
    const cost = costOf({ input: 1, output: 2 }, { inputTokens: 1_000_000, outputTokens: 1_000_000 }, 0.5);
    expect(cost).toEqual({ usd: 1.5, listUsd: 3 });
  });
});
