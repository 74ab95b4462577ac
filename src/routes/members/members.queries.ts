// The member routes' own read: a member's ledger entries, page by page (writes go through the member's object).
import { eq } from "drizzle-orm";
import { database } from "../../db/client";
import { entries } from "../../db/schema";
import { entryPage } from "../../members/history";

/** The member's entries newest first; a partner key sees only its own. `after` is the last entry id seen. */
export async function memberEntryPage(d1: D1Database, programId: string, memberId: string, partnerId: string | null, limit: number, after: string | undefined) {
  const conditions = [eq(entries.programId, programId), eq(entries.memberId, memberId)];
  if (partnerId) conditions.push(eq(entries.partnerId, partnerId));
  return entryPage(database(d1), conditions, limit, after, partnerId);
}
