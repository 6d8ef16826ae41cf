import { describe, expect, it } from "vitest";
import { parseGatewayConfig } from "./config-file.ts";

describe("gateway.yaml prices", () => {
  it("reads prices per model", () => {
    expect(parseGatewayConfig("providers: []\nprices:\n  my-model: { input: 3, output: 12, cached_input: 1 }\n").prices).toEqual({ "my-model": { input: 3, output: 12, cachedInput: 1 } });
  });

  it("names the line and field of a bad price", () => {
    expect(() => parseGatewayConfig("providers: []\nprices:\n  my-model: { input: 3, output: 12, outptu: 1 }\n")).toThrow(/gateway.yaml:3 prices.my-model.outptu: unknown field/);
    expect(() => parseGatewayConfig("providers: []\nprices:\n  my-model: { input: -3, output: 12 }\n")).toThrow(/prices.my-model.input: input must not be negative/);
  });
});
