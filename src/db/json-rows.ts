/**
 * Many rows in one `INSERT … SELECT … FROM json_each(?)`: the rows travel as one JSON parameter,
 * so a write of any number of rows is one statement for drizzle to build and D1 to run (D1 binds
 * at most 100 parameters a statement, which held a plain multi-row insert to four log rows).
 */
import { getTableColumns, getTableName } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";

/** On a conflict of `target` (property names), add each of `add` (property names) to the row already there. */
export interface AddOnConflict {
  target: readonly string[];
  add: readonly string[];
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A statement's text and its one parameter, for the D1 binding (drizzle's batch cannot take raw SQL with parameters). */
export interface JsonRowsStatement {
  sql: string;
  /** The rows, as a JSON array of arrays (one value per column, in the statement's order). */
  json: string;
}

/**
 * The statement inserting `rows` (objects keyed by the table's property names, as drizzle inserts
 * take them). Columns no row sets are left to their defaults; a value is stored as drizzle would
 * store it (booleans as 0/1, JSON columns as text).
 */
export function insertJsonRows(table: SQLiteTable, rows: readonly Record<string, unknown>[], onConflict?: AddOnConflict): JsonRowsStatement {
  const all = getTableColumns(table);
  const columns = Object.entries(all).filter(([key]) => rows.some((row) => row[key] !== undefined));
  const json = JSON.stringify(rows.map((row) => columns.map(([key, column]) => (row[key] === undefined || row[key] === null ? null : column.mapToDriverValue(row[key])))));
  const names = columns.map(([, column]) => quoted(column.name)).join(", ");
  const values = columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ");
  // `WHERE true` keeps SQLite from reading the upsert's ON as a join constraint.
  let tail = "";
  if (onConflict) {
    const nameOf = (key: string) => {
      const column = all[key];
      if (!column) throw new Error(`${getTableName(table)} has no column '${key}'`);
      return quoted(column.name);
    };
    const set = onConflict.add.map((key) => `${nameOf(key)} = ${nameOf(key)} + excluded.${nameOf(key)}`).join(", ");
    tail = ` WHERE true ON CONFLICT (${onConflict.target.map(nameOf).join(", ")}) DO UPDATE SET ${set}`;
  }
  return { sql: `INSERT INTO ${quoted(getTableName(table))} (${names}) SELECT ${values} FROM json_each(?)${tail}`, json };
}
