// The settlement routes' own read: a partner's ledger entries, page by page.
import { eq } from "drizzle-orm";
import { database } from "../../db/client";
import { entries } from "../../db/schema";
import { entryPage } from "../../members/history";

/** The partner's entries newest first, optionally only those settled in `period`; `after` is the last entry id seen. */
export async function partnerEntryPage(d1: D1Database, programId: string, partnerId: string, period: string | undefined, limit: number, after: string | undefined) {
  const conditions = [eq(entries.programId, programId), eq(entries.partnerId, partnerId)];
  if (period) conditions.push(eq(entries.settlementPeriod, period));
  return entryPage(database(d1), conditions, limit, after, partnerId);
}
