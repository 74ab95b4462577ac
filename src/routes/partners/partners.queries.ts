// A program's partner brands in D1.
import { asc, eq } from "drizzle-orm";
import { database } from "../../db/client";
import { partners } from "../../db/schema";
import { errorMessages } from "../../db/transient";

export type PartnerRow = typeof partners.$inferSelect;

/** Inserts the partner; false when the program has one of that name already (the unique index refused it). */
export async function insertPartner(d1: D1Database, row: PartnerRow): Promise<boolean> {
  try {
    await database(d1).insert(partners).values(row);
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
