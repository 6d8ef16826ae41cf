import { describe, expect, it } from "vitest";
import { excerpt, table, when } from "./format.mjs";

describe("table", () => {
  it("pads each column to its widest cell, without trailing spaces", () => {
    expect(table(["MODEL", "PROVIDER"], [["sim-small", "sim"], ["sim-claude", "sim-anthropic"]])).toBe(
      ["MODEL       PROVIDER", "sim-small   sim", "sim-claude  sim-anthropic", ""].join("\n"),
    );
  });

  it("counts characters, not UTF-16 units", () => {
    expect(table(["NAME", "X"], [["笔记本", "1"], ["ci", "2"]])).toBe(["NAME  X", "笔记本   1", "ci    2", ""].join("\n"));
  });
});

describe("when", () => {
  it("shows UTC to the second, from milliseconds or seconds, and a dash for none", () => {
    expect(when(1795337418502)).toBe("2026-11-22T08:50:18Z");
    expect(when(1795337418, "s")).toBe("2026-11-22T08:50:18Z");
    expect(when(null)).toBe("—");
  });
});

describe("excerpt", () => {
  it("keeps short text on one line and cuts long text with an ellipsis", () => {
    expect(excerpt("tok1\ntok2  tok3")).toBe("tok1 tok2 tok3");
    expect(excerpt("你好世界你好世界", 5)).toBe("你好世界…");
  });
});
