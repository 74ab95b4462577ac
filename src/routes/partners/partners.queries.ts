// A program's partner brands and their terms in D1.
import { and, asc, desc, eq } from "drizzle-orm";
import { auditInsert, type AuditRow } from "../../audit/audit";
import { database } from "../../db/client";
import { partners, partnerTerms } from "../../db/schema";
import { errorMessages } from "../../db/transient";

export type PartnerRow = typeof partners.$inferSelect;

/** Inserts the partner; false when the program has one of that name already (the unique index refused it). */
export async function insertPartner(d1: D1Database, row: PartnerRow, audit?: AuditRow): Promise<boolean> {
  try {
    const db = database(d1);
    if (audit) await db.batch([db.insert(partners).values(row), auditInsert(db, audit)]);
    else await db.insert(partners).values(row);
    return true;
  } catch (error) {
    // drizzle wraps D1's error; the constraint's message is in the cause.
    if (errorMessages(error).some((message) => /constraint failed/i.test(message))) return false;
    throw error;
  }
}

export async function listPartners(d1: D1Database, programId: string) {
  return database(d1)
    .select({ id: partners.id, name: partners.name, createdAt: partners.createdAt })
    .from(partners)
    .where(eq(partners.programId, programId))
    .orderBy(asc(partners.name));
}

export async function findPartner(d1: D1Database, programId: string, partnerId: string): Promise<PartnerRow | undefined> {
  const [row] = await database(d1)
    .select()
    .from(partners)
    .where(and(eq(partners.id, partnerId), eq(partners.programId, programId)));
  return row;
}

export type TermsRow = typeof partnerTerms.$inferInsert;

/** Stores the terms valid from their period, replacing that period's version if one exists. */
export async function upsertTerms(d1: D1Database, row: TermsRow, audit: AuditRow): Promise<void> {
  const { programId: _p, ...values } = row;
  const db = database(d1);
  await db.batch([
    db
      .insert(partnerTerms)
      .values(row)
      .onConflictDoUpdate({ target: [partnerTerms.programId, partnerTerms.partnerId, partnerTerms.validFrom], set: values }),
    auditInsert(db, audit),
  ]);
}

/** Every version of the partner's terms, newest first. */
export async function termsOf(d1: D1Database, programId: string, partnerId: string) {
  return database(d1)
    .select()
    .from(partnerTerms)
    .where(and(eq(partnerTerms.programId, programId), eq(partnerTerms.partnerId, partnerId)))
    .orderBy(desc(partnerTerms.validFrom));
}
