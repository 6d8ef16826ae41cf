/** D1 binds at most 100 values per statement: long inserts and id lists are split to stay within it. */

export const MAX_BOUND_VALUES = 100;

/** Rows in groups small enough for one insert each (each row binds one value per column). */
export function insertGroups<T extends object>(rows: readonly T[]): T[][] {
  if (rows.length === 0) return [];
  const perInsert = Math.max(1, Math.floor(MAX_BOUND_VALUES / Object.keys(rows[0]!).length));
  const groups: T[][] = [];
  for (let i = 0; i < rows.length; i += perInsert) groups.push(rows.slice(i, i + perInsert));
  return groups;
}

/** Values for `IN (…)` lists, in groups that leave room for a statement's other bound values. */
export function listGroups<T>(values: readonly T[], room = 10): T[][] {
  const per = MAX_BOUND_VALUES - room;
  const groups: T[][] = [];
  for (let i = 0; i < values.length; i += per) groups.push(values.slice(i, i + per));
  return groups;
}
