/** The usage day and month an instant falls in, and when each ends. */
import { addDays, dayOf, dayStart } from "../usage/day.ts";
import type { Period } from "./spend-policy.ts";

export function periodAt(now: number, offsetMinutes: number): Period {
  const day = dayOf(now, offsetMinutes);
  const [y, m] = day.split("-").map(Number) as [number, number];
  const nextMonth = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`;
  return { day, month: day.slice(0, 7), dayEndsAt: dayStart(addDays(day, 1), offsetMinutes), monthEndsAt: dayStart(nextMonth, offsetMinutes) };
}
