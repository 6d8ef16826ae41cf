/** Limit fields as keys and users take them (snake_case; null clears one). */
import { z } from "zod";
import type { Limits } from "./spend-policy.ts";
import { ipRangeProblem } from "./ip-allow.ts";

const perMinute = (what: string) => z.number({ message: `must be a whole number of ${what} per minute` }).int(`must be a whole number of ${what} per minute`).positive().max(100_000_000).nullable().optional();
const budget = z.number({ message: "must be an amount in USD" }).positive("must be more than 0 (revoke the key to stop it)").max(10_000_000).nullable().optional();

export const limitFields = {
  rpm: perMinute("requests"),
  tpm: perMinute("tokens"),
  daily_budget_usd: budget,
  monthly_budget_usd: budget,
};

export const ipList = z
  .array(z.string().trim().superRefine((entry, ctx) => {
    const problem = ipRangeProblem(entry);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }))
  .min(1, "list at least one address or range (null allows every address)")
  .max(100);

export const expiry = z.iso.datetime({ offset: true, message: "expires_at must be an ISO 8601 time such as 2027-01-01T00:00:00Z" });

/** The limit columns a patch sets (only the fields it names). */
export function limitColumns(input: { rpm?: number | null | undefined; tpm?: number | null | undefined; daily_budget_usd?: number | null | undefined; monthly_budget_usd?: number | null | undefined }): Partial<Record<keyof Limits, number | null>> {
  const columns: Partial<Record<keyof Limits, number | null>> = {};
  if (input.rpm !== undefined) columns.rpm = input.rpm;
  if (input.tpm !== undefined) columns.tpm = input.tpm;
  if (input.daily_budget_usd !== undefined) columns.dailyBudgetUsd = input.daily_budget_usd;
  if (input.monthly_budget_usd !== undefined) columns.monthlyBudgetUsd = input.monthly_budget_usd;
  return columns;
}

/** Limits as the API shows them. */
export function limitsView(l: Limits) {
  return { rpm: l.rpm ?? null, tpm: l.tpm ?? null, daily_budget_usd: l.dailyBudgetUsd ?? null, monthly_budget_usd: l.monthlyBudgetUsd ?? null };
}
