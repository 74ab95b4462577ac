// The member's own reads from D1: their entries, page by page (the same query as the members' history route).
import { eq } from "drizzle-orm";
import { database } from "../../db/client";
import { entries } from "../../db/schema";
import { entryPage } from "../../members/history";

export async function myEntryPage(d1: D1Database, programId: string, memberId: string, limit: number, after: string | undefined) {
  return entryPage(database(d1), [eq(entries.programId, programId), eq(entries.memberId, memberId)], limit, after);
}
