// The plain inserts and updates a member's batch repeats on every change, as D1 statements: the SQL of each
// shape (table, columns given) is written once from the schema's column names and kept, and only the values
// are bound per call. On the accrual path drizzle's builder cost more of the isolate than D1's own client; what
// is rarer or not plain (upserts, insert-selects) stays with drizzle and joins the batch through `toD1`.
import { getTableColumns, getTableName, type Column } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";

type Row = Record<string, unknown>;

interface TableShape {
  name: string;
  columns: Record<string, Column>;
}

const tables = new WeakMap<SQLiteTable, TableShape>();
const texts = new Map<string, string>();

function shapeOf(table: SQLiteTable): TableShape {
  let shape = tables.get(table);
  if (!shape) {
    shape = { name: getTableName(table), columns: getTableColumns(table) };
    tables.set(table, shape);
  }
  return shape;
}

function column(shape: TableShape, key: string): Column {
  const found = shape.columns[key];
  if (!found) throw new Error(`${shape.name} has no column '${key}'`);
  return found;
}

/** The value as drizzle would bind it (a boolean column's 1 or 0, say); null stays null. */
function bound(shape: TableShape, key: string, value: unknown): unknown {
  return value === null ? null : column(shape, key).mapToDriverValue(value);
}

/** The keys a row gives a value for: an undefined one is left to the column's default, as drizzle leaves it. */
function given(row: Row): string[] {
  return Object.keys(row).filter((key) => row[key] !== undefined);
}

/** SQL built once per key and kept: a shape's statement text for every later call. */
export function keptSql(key: string, build: () => string): string {
  let sql = texts.get(key);
  if (sql === undefined) {
    sql = build();
    texts.set(key, sql);
  }
  return sql;
}

/** `INSERT INTO table (the row's columns) VALUES (...)`; with `ignore`, a row already there is left as it is. */
export function insertRow(d1: D1Database, table: SQLiteTable, row: Row, conflict: "abort" | "ignore" = "abort"): D1PreparedStatement {
  const shape = shapeOf(table);
  const keys = given(row);
  const sql = keptSql(`${shape.name}|insert|${conflict}|${keys.join(",")}`, () => {
    const names = keys.map((key) => `"${column(shape, key).name}"`).join(", ");
    return `INSERT INTO "${shape.name}" (${names}) VALUES (${keys.map(() => "?").join(", ")})${conflict === "ignore" ? " ON CONFLICT DO NOTHING" : ""}`;
  });
  return d1.prepare(sql).bind(...keys.map((key) => bound(shape, key, row[key])));
}

/** `UPDATE table SET (the columns of set) WHERE` each column of `where` equals its value. */
export function updateRows(d1: D1Database, table: SQLiteTable, set: Row, where: Row): D1PreparedStatement {
  const shape = shapeOf(table);
  const setKeys = given(set);
  const whereKeys = Object.keys(where);
  const sql = keptSql(`${shape.name}|update|${setKeys.join(",")}|${whereKeys.join(",")}`, () => {
    const assignments = setKeys.map((key) => `"${column(shape, key).name}" = ?`).join(", ");
    const conditions = whereKeys.map((key) => `"${column(shape, key).name}" = ?`).join(" AND ");
    return `UPDATE "${shape.name}" SET ${assignments} WHERE ${conditions}`;
  });
  return d1.prepare(sql).bind(...setKeys.map((key) => bound(shape, key, set[key])), ...whereKeys.map((key) => bound(shape, key, where[key])));
}

/** A drizzle query as a D1 statement, for a batch of D1 statements (every builder drizzle batches can say its SQL). */
export function toD1(d1: D1Database, query: BatchItem<"sqlite">): D1PreparedStatement {
  const { sql, params } = (query as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
  return d1.prepare(sql).bind(...params);
}
