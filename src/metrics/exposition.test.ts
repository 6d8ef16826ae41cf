import { describe, expect, it } from "vitest";
import { exposition } from "./exposition.ts";

describe("exposition", () => {
  it("writes HELP and TYPE lines, then samples with escaped labels", () => {
    const text = exposition([{ name: "m_total", type: "counter", help: "A\\count\nof things", samples: [{ labels: { model: 'a"b\\c\nd' }, value: 2 }, { labels: {}, value: Infinity }] }]);
    expect(text).toBe('# HELP m_total A\\\\count\\nof things\n# TYPE m_total counter\nm_total{model="a\\"b\\\\c\\nd"} 2\nm_total +Inf\n');
  });
});
