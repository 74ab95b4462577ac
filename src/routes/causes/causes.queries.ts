// Causes in D1, and the donation totals their claims add up to.
import { and, eq } from "drizzle-orm";
import { database } from "../../db/client";
import { causes } from "../../db/schema";
import { donationTotals, listCauses, readCause, type CauseRow } from "../../rewards/queries";

export { listCauses, readCause, type CauseRow };

export async function insertCause(d1: D1Database, row: CauseRow): Promise<void> {
  await database(d1).insert(causes).values(row);
}

export async function writeCause(d1: D1Database, row: CauseRow): Promise<void> {
  const { programId, id, ...values } = row;
  await database(d1).update(causes).set(values).where(and(eq(causes.programId, programId), eq(causes.id, id)));
}

export async function causeDonations(d1: D1Database, programId: string, causeId: string, period: string | null) {
  return donationTotals(database(d1), programId, causeId, period);
}
