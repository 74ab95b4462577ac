// Reading and revoking a program's keys; nothing derived from a secret leaves the database.
import { and, asc, eq, getTableColumns, isNull } from "drizzle-orm";
import { database } from "../../db/client";
import { apiKeys } from "../../db/schema";
import { auditInsert, type AuditRow } from "../../audit/audit";

/** Every column but the hash. */
const { keyHash: _hash, ...shownColumns } = getTableColumns(apiKeys);

export async function listKeys(d1: D1Database, programId: string) {
  return database(d1).select(shownColumns).from(apiKeys).where(eq(apiKeys.programId, programId)).orderBy(asc(apiKeys.createdAt));
}

/** The key as revoked now, or undefined when the program has no active key of that id. */
export async function revokeKey(d1: D1Database, programId: string, keyId: string, at: Date, audit: (after: object) => AuditRow) {
  const db = database(d1);
  const [row] = await db.select(shownColumns).from(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.programId, programId), isNull(apiKeys.revokedAt)));
  if (!row) return undefined;
  const revoked = { ...row, revokedAt: at.toISOString() };
  const [updated] = await db.batch([
    db
      .update(apiKeys)
      .set({ revokedAt: revoked.revokedAt })
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.programId, programId), isNull(apiKeys.revokedAt)))
      .returning(shownColumns),
    auditInsert(db, audit(revoked), { afterGuardedWrite: true }),
  ]);
  return updated[0];
}
