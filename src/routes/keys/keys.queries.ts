// Reading and revoking a program's keys; nothing derived from a secret leaves the database.
import { and, asc, eq, getTableColumns, isNull } from "drizzle-orm";
import { database } from "../../db/client";
import { apiKeys } from "../../db/schema";
import { auditStatement, type AuditRow } from "../../audit/audit";

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
  // The audit row is written only when the revoke itself changed the key (not by a concurrent revoke).
  const [updated] = await d1.batch([
    d1.prepare("UPDATE api_keys SET revoked_at = ?3 WHERE id = ?1 AND program_id = ?2 AND revoked_at IS NULL").bind(keyId, programId, revoked.revokedAt),
    auditStatement(d1, audit(revoked), { afterGuardedWrite: true }),
  ]);
  return updated!.meta.changes > 0 ? revoked : undefined;
}
