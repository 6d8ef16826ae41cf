import { describe, expect, it } from "vitest";
import { matchRule, regexProblem, routingRuleInput, type RoutingRule } from "./rules.ts";

let n = 0;
const rule = (extra: Partial<RoutingRule> & Pick<RoutingRule, "condition">): RoutingRule => ({
  id: `r${++n}`,
  name: "rule",
  priority: 100,
  enabled: true,
  action: { type: "use_model", model: "strong" },
  ...extra,
});
const prompt = (lastUser: string, all = lastUser) => ({ lastUser, all });

describe("matchRule", () => {
  it("returns the first enabled rule that holds, by priority then id", () => {
    const sql = { type: "regex", pattern: "\\bSQL\\b", flags: "i", target: "last_user" } as const;
    const rules = [
      rule({ id: "b", priority: 10, condition: sql }),
      rule({ id: "a", priority: 10, condition: sql }),
      rule({ id: "first-but-off", priority: 1, enabled: false, condition: sql }),
      rule({ id: "later", priority: 50, condition: sql }),
      rule({ id: "early-no-match", priority: 5, condition: { type: "regex", pattern: "python", target: "last_user" } }),
    ];
    expect(matchRule(rules, prompt("write some sql"))?.id).toBe("a");
    expect(matchRule(rules, prompt("write some rust"))).toBeUndefined();
  });

  it("matches against the last user message or the whole prompt, as the rule says", () => {
    const onLast = rule({ id: "last", condition: { type: "regex", pattern: "translate", target: "last_user" } });
    const onAll = rule({ id: "all", condition: { type: "regex", pattern: "translate", target: "prompt" } });
    const p = prompt("into French, please", "system: you translate\nuser: into French, please");
    expect(matchRule([onLast], p)).toBeUndefined();
    expect(matchRule([onLast, onAll], p)?.id).toBe("all");
  });

  it("honours the flags", () => {
    const r = rule({ condition: { type: "regex", pattern: "^hello", target: "last_user" } });
    expect(matchRule([r], prompt("HELLO"))).toBeUndefined();
    expect(matchRule([{ ...r, condition: { ...r.condition, flags: "i" } as RoutingRule["condition"] }], prompt("HELLO"))).toBeDefined();
  });

  it("looks at only the first 20,000 characters", () => {
    const r = rule({ condition: { type: "regex", pattern: "NEEDLE", target: "last_user" } });
    expect(matchRule([r], prompt("x".repeat(19_000) + "NEEDLE"))).toBeDefined();
    expect(matchRule([r], prompt("x".repeat(20_000) + "NEEDLE"))).toBeUndefined();
  });

  it("routes by complexity range over the whole prompt", () => {
    const hard = rule({ id: "hard", condition: { type: "complexity", min: 0.35 } });
    const easy = rule({ id: "easy", condition: { type: "complexity", max: 0.1 } });
    expect(matchRule([hard, easy], prompt("hi"))?.id).toBe("easy");
    expect(matchRule([hard, easy], prompt("请逐步证明这个定理并分析"))?.id).toBe("hard");
    expect(matchRule([hard, easy], prompt("please prove it"))).toBeUndefined();
  });

  it("never matches with a pattern that does not compile, and goes on to the next rule", () => {
    const broken = rule({ id: "broken", priority: 1, condition: { type: "regex", pattern: "(", target: "last_user" } });
    const fine = rule({ id: "fine", priority: 2, condition: { type: "regex", pattern: "x", target: "last_user" } });
    expect(matchRule([broken, fine], prompt("x ("))?.id).toBe("fine");
  });
});

describe("regexProblem", () => {
  it("accepts a sound pattern with i, m, s, u", () => {
    expect(regexProblem("^(foo|bar)\\d+$", "imsu")).toBeUndefined();
    expect(regexProblem("代码")).toBeUndefined();
  });

  it("names what is wrong", () => {
    expect(regexProblem("(unclosed")).toMatch(/invalid pattern/);
    expect(regexProblem("a", "g")).toMatch(/flag 'g'/);
    expect(regexProblem("a", "y")).toMatch(/flag 'y'/);
    expect(regexProblem("a", "ii")).toMatch(/twice/);
    expect(regexProblem("a".repeat(501))).toMatch(/500/);
    expect(regexProblem("a".repeat(500))).toBeUndefined();
  });
});

describe("routingRuleInput", () => {
  const regex = { type: "regex", pattern: "sql", target: "last_user" };

  it("fills priority and enabled", () => {
    const r = routingRuleInput.parse({ name: "SQL to coder", condition: regex, action: { type: "use_model", model: "coder" } });
    expect(r).toEqual({ name: "SQL to coder", priority: 100, enabled: true, condition: regex, action: { type: "use_model", model: "coder" } });
  });

  it("refuses unknown fields, at the top and inside", () => {
    const base = { name: "n", condition: regex, action: { type: "use_provider", provider: "openai" } };
    expect(routingRuleInput.safeParse(base).success).toBe(true);
    expect(routingRuleInput.safeParse({ ...base, extra: 1 }).success).toBe(false);
    expect(routingRuleInput.safeParse({ ...base, condition: { ...regex, extra: 1 } }).success).toBe(false);
    expect(routingRuleInput.safeParse({ ...base, action: { type: "use_model", model: "m", provider: "p" } }).success).toBe(false);
    expect(routingRuleInput.safeParse({ ...base, name: "" }).success).toBe(false);
    expect(routingRuleInput.safeParse({ ...base, name: "x".repeat(101) }).success).toBe(false);
    expect(routingRuleInput.safeParse({ ...base, priority: 1.5 }).success).toBe(false);
  });

  it("reports a bad pattern at condition.pattern", () => {
    const r = routingRuleInput.safeParse({ name: "n", condition: { ...regex, pattern: "(" }, action: { type: "use_model", model: "m" } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["condition", "pattern"]);
    expect(r.error?.issues[0]?.message).toMatch(/invalid pattern/);
  });

  it("needs min or max in [0, 1], min not above max, for complexity", () => {
    const parse = (condition: object) => routingRuleInput.safeParse({ name: "n", condition: { type: "complexity", ...condition }, action: { type: "use_model", model: "m" } }).success;
    expect(parse({ min: 0.6 })).toBe(true);
    expect(parse({ max: 0.2 })).toBe(true);
    expect(parse({ min: 0.2, max: 0.2 })).toBe(true);
    expect(parse({})).toBe(false);
    expect(parse({ min: 0.7, max: 0.3 })).toBe(false);
    expect(parse({ min: -0.1 })).toBe(false);
    expect(parse({ max: 1.5 })).toBe(false);
  });
});
