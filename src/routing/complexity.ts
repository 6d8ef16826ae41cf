/**
 * An estimate in [0, 1] of how demanding a prompt is, for rules that send hard prompts to a
 * stronger model and easy ones to a cheaper one. Three signals, each in [0, 1]:
 *
 *   L = min(1, characters / 8000)          length, saturating at 8,000 characters
 *   C = min(1, fenced code blocks / 2)     ``` or ~~~ fences; an unclosed one counts
 *   K = min(1, demanding kinds / 2)        distinct kinds of demanding work asked for (below)
 *
 *   complexity = 0.4·L + 0.2·C + 0.4·K, rounded to three decimals.
 *
 * So "hi" scores about 0, "prove this step by step" 0.4, a long code review asking to refactor
 * and optimise 1. Kinds of demanding work, in English (any case, at a word start, so "analyse",
 * "analyzing" and "debugger" count) or Chinese: proving, step by step, analysing, reasoning,
 * deriving, refactoring, optimising, debugging, algorithms, architecture. Fences and keywords are
 * looked for in the first 20,000 characters. Deterministic: the same text always scores the same.
 */

export const COMPLEXITY = {
  saturatingChars: 8_000,
  saturatingBlocks: 2,
  saturatingKinds: 2,
  weights: { length: 0.4, code: 0.2, keywords: 0.4 },
  scanChars: 20_000,
} as const;

/** One entry per kind of demanding work: several words for it count once. */
const DEMANDING: readonly RegExp[] = [
  /\bprov(e|es|ed|en|ing)\b|\bproof|证明/,
  /\bstep[- ]by[- ]step|逐步|一步一步|分步/,
  /\banaly[sz]|分析/,
  /\breasoning\b|\breason (about|through)\b|推理/,
  /\bderiv(e|es|ed|ing|ation)\b|推导/,
  /\brefactor|重构/,
  /\boptimi[sz]|优化/,
  /\bdebug|调试/,
  /\balgorithm|算法/,
  /\barchitect|架构/,
];

const FENCE = /^ {0,3}(```|~~~)/gm;

/** A documented estimate in [0, 1] of how demanding a prompt is (see the file's comment). */
export function complexityOf(text: string): number {
  const scanned = text.slice(0, COMPLEXITY.scanChars);
  const lower = scanned.toLowerCase();
  const fences = scanned.match(FENCE)?.length ?? 0;
  const kinds = DEMANDING.filter((re) => re.test(lower)).length;
  const L = Math.min(1, text.length / COMPLEXITY.saturatingChars);
  const C = Math.min(1, Math.ceil(fences / 2) / COMPLEXITY.saturatingBlocks);
  const K = Math.min(1, kinds / COMPLEXITY.saturatingKinds);
  const { weights: w } = COMPLEXITY;
  return Math.round((w.length * L + w.code * C + w.keywords * K) * 1000) / 1000;
}
