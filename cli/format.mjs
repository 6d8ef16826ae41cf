/** Text output: aligned tables, times and one-line excerpts. */

/**
 * Columns padded to their widest cell, two spaces apart, a header row first; no trailing spaces.
 * Widths count code points, so CJK text lines up as well as a terminal's fixed width allows.
 * @param {string[]} header
 * @param {string[][]} rows
 */
export function table(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => [...(row[i] ?? "")].length)));
  return all.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - [...cell].length))).join("  ").trimEnd()).join("\n") + "\n";
}

/**
 * A time in UTC to the second, `—` for none. The gateway's times are epoch milliseconds or seconds.
 * @param {number | null | undefined} value
 * @param {"ms" | "s"} unit
 */
export function when(value, unit = "ms") {
  if (value === null || value === undefined) return "—";
  return new Date(unit === "s" ? value * 1000 : value).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Text on one line, cut at `max` code points with an ellipsis.
 * @param {string} text
 * @param {number} max
 */
export function excerpt(text, max = 60) {
  const flat = text.replace(/\s+/g, " ").trim();
  const points = [...flat];
  return points.length <= max ? flat : `${points.slice(0, max - 1).join("")}…`;
}
