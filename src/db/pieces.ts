// Multi-row inserts cut to D1's limit on bound parameters.
import { getTableColumns } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";

/** D1 binds at most 100 parameters per statement: a multi-row insert takes as many rows as fit. */
const MAX_PARAMS = 100;

/** Rows in pieces small enough for one statement's parameters (each column binds at most one). */
export function piecesFor<T>(table: SQLiteTable, rows: T[]): T[][] {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(getTableColumns(table)).length));
  const pieces: T[][] = [];
  for (let at = 0; at < rows.length; at += perStatement) pieces.push(rows.slice(at, at + perStatement));
  return pieces;
}
