// One drizzle handle per D1 binding.
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/**
 * Kept per binding: building a handle walks the whole schema for its relational
 * config, which every request and every member object's start otherwise paid.
 */
const handles = new WeakMap<D1Database, ReturnType<typeof drizzle<typeof schema>>>();

export function database(d1: D1Database) {
  let db = handles.get(d1);
  if (!db) {
    db = drizzle(d1, { schema });
    handles.set(d1, db);
  }
  return db;
}

export type Database = ReturnType<typeof database>;
export { schema };
