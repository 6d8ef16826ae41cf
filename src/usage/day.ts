/** Days and months of usage in the gateway's usage time zone (USAGE_UTC_OFFSET_MINUTES east of UTC). */

/** `YYYY-MM-DD` of the instant `ms`. */
export function dayOf(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** `YYYY-MM` of the instant `ms`. */
export function monthOf(ms: number, offsetMinutes: number): string {
  return dayOf(ms, offsetMinutes).slice(0, 7);
}

/** The instant the day `YYYY-MM-DD` starts. */
export function dayStart(day: string, offsetMinutes: number): number {
  return Date.parse(`${day}T00:00:00Z`) - offsetMinutes * 60_000;
}

/** The day `n` days after `day` (before, when negative). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
