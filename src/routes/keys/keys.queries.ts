// Reading and revoking a program's keys; nothing derived from a secret leaves the database.
import { and, asc, eq, getTableColumns, isNull } from "drizzle-orm";
import { database } from "../../db/client";
import { apiKeys } from "../../db/schema";

/** Every column but the hash. */
const { keyHash: _hash, ...shownColumns } = getTableColumns(apiKeys);

export async function listKeys(d1: D1Database, programId: string) {
  return database(d1).select(shownColumns).from(apiKeys).where(eq(apiKeys.programId, programId)).orderBy(asc(apiKeys.createdAt));
}

/** The key as revoked now, or undefined when the program has no active key of that id. */
export async function revokeKey(d1: D1Database, programId: string, keyId: string, at: Date) {
  const [row] = await database(d1)
    .update(apiKeys)
    .set({ revokedAt: at.toISOString() })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.programId, programId), isNull(apiKeys.revokedAt)))
    .returning(shownColumns);
  return row;
}
