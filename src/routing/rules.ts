/**
 * Rule-based routing (seed 003): an admin's rules send a call to another model or to one provider
 * when its prompt matches a regular expression or falls within a complexity range. The first
 * enabled rule that holds, by ascending priority then id, decides; none holding, the call goes
 * where it asked. Patterns are checked when a rule is created (regexProblem), compiled once, and
 * run on at most the first 20,000 characters, so a long prompt costs little.
 */
import { z } from "zod";
import { complexityOf } from "./complexity.ts";

export type RuleCondition =
  | { type: "regex"; pattern: string; flags?: string; target: "last_user" | "prompt" }
  | { type: "complexity"; min?: number; max?: number };

export type RuleAction = { type: "use_model"; model: string } | { type: "use_provider"; provider: string };

export interface RoutingRule {
  id: string;
  name: string;
  priority: number;
  enabled: boolean;
  condition: RuleCondition;
  action: RuleAction;
}

/** The call's prompt as rules see it: the last user message, and all text of the call. */
export interface PromptText {
  lastUser: string;
  all: string;
}

export const RULES = {
  /** Only this much of the text is matched. */
  matchChars: 20_000,
  maxPatternChars: 500,
  allowedFlags: "imsu",
  /** Compiled patterns kept (oldest forgotten first). */
  cacheSize: 500,
} as const;

/** Compiled patterns by flags and source; null for one that does not compile (it never matches). */
const compiled = new Map<string, RegExp | null>();

function regexOf(pattern: string, flags = ""): RegExp | null {
  const key = `${flags}/${pattern}`;
  let re = compiled.get(key);
  if (re !== undefined) return re;
  re = regexProblem(pattern, flags) === undefined ? new RegExp(pattern, flags) : null;
  if (compiled.size >= RULES.cacheSize) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, re);
  return re;
}

/** The first enabled rule, by ascending priority then id, whose condition holds. */
export function matchRule(rules: readonly RoutingRule[], prompt: PromptText): RoutingRule | undefined {
  const ordered = rules.filter((r) => r.enabled).sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let complexity: number | undefined;
  for (const rule of ordered) {
    const c = rule.condition;
    if (c.type === "regex") {
      const text = c.target === "last_user" ? prompt.lastUser : prompt.all;
      if (regexOf(c.pattern, c.flags)?.test(text.slice(0, RULES.matchChars))) return rule;
    } else {
      complexity ??= complexityOf(prompt.all);
      if (complexity >= (c.min ?? 0) && complexity <= (c.max ?? 1)) return rule;
    }
  }
  return undefined;
}

/** A problem with a regex condition (invalid pattern, flags other than i, m, s, u, pattern over 500 characters), or undefined. */
export function regexProblem(pattern: string, flags = ""): string | undefined {
  if (pattern.length > RULES.maxPatternChars) return `pattern is longer than ${RULES.maxPatternChars} characters`;
  for (const [i, f] of [...flags].entries()) {
    if (!RULES.allowedFlags.includes(f)) return `flag '${f}' is not allowed (only i, m, s, u)`;
    if (flags.indexOf(f) !== i) return `flag '${f}' is given twice`;
  }
  try {
    new RegExp(pattern, flags);
  } catch (e) {
    return `invalid pattern: ${e instanceof Error ? e.message : String(e)}`;
  }
  return undefined;
}

const regexCondition = z
  .strictObject({
    type: z.literal("regex"),
    pattern: z.string().min(1),
    flags: z.string().max(4).optional(),
    target: z.enum(["last_user", "prompt"]),
  })
  .superRefine((c, ctx) => {
    const problem = regexProblem(c.pattern, c.flags);
    if (problem) ctx.addIssue({ code: "custom", path: ["pattern"], message: problem });
  });

const complexityCondition = z
  .strictObject({
    type: z.literal("complexity"),
    min: z.number().min(0).max(1).optional(),
    max: z.number().min(0).max(1).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.min === undefined && c.max === undefined) ctx.addIssue({ code: "custom", message: "a complexity condition needs min or max" });
    if (c.min !== undefined && c.max !== undefined && c.min > c.max) ctx.addIssue({ code: "custom", path: ["min"], message: "min must not be above max" });
  });

const NAME = z.string().min(1).max(200);

/** A rule as the admin API creates it. */
export const routingRuleInput = z.strictObject({
  name: z.string().min(1).max(100),
  priority: z.number().int().default(100),
  enabled: z.boolean().default(true),
  condition: z.discriminatedUnion("type", [regexCondition, complexityCondition]),
  action: z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("use_model"), model: NAME }),
    z.strictObject({ type: z.literal("use_provider"), provider: NAME }),
  ]),
});

export type RoutingRuleInput = z.output<typeof routingRuleInput>;
