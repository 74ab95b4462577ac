// Causes in D1, and the donation totals their claims add up to.
import { and, eq } from "drizzle-orm";
import { auditInsert, type AuditRow } from "../../audit/audit";
import { database } from "../../db/client";
import { causes } from "../../db/schema";
import { donationTotals, listCauses, readCause, type CauseRow } from "../../rewards/queries";

export { listCauses, readCause, type CauseRow };

export async function insertCause(d1: D1Database, row: CauseRow, audit: AuditRow): Promise<void> {
  const db = database(d1);
  await db.batch([db.insert(causes).values(row), auditInsert(db, audit)]);
}

export async function writeCause(d1: D1Database, row: CauseRow, audit: AuditRow): Promise<void> {
  const { programId, id, ...values } = row;
  const db = database(d1);
  await db.batch([db.update(causes).set(values).where(and(eq(causes.programId, programId), eq(causes.id, id))), auditInsert(db, audit)]);
}

export async function causeDonations(d1: D1Database, programId: string, causeId: string, period: string | null) {
  return donationTotals(database(d1), programId, causeId, period);
}
