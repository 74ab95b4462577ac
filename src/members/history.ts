// One page of ledger entries, newest first, with a cursor: the member's history and a partner's.
import { and, desc, lt, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import { entries } from "../db/schema";

export async function entryPage(db: Database, conditions: SQL[], limit: number, cursor: string | undefined) {
  const where = cursor ? [...conditions, lt(entries.id, cursor)] : conditions;
  const rows = await db
    .select()
    .from(entries)
    .where(and(...where))
    .orderBy(desc(entries.id))
    .limit(limit + 1);
  // The summed figures are columns for the queries; callers read them in `details`, as before.
  const data = rows
    .slice(0, limit)
    .map(({ programId: _p, details, debtPaid: _d, fromLot: _l, fromExpired: _e, addedToDebt: _a, orderAmount: _o, refundedAmount: _r, ...row }) => ({
      ...row,
      details: JSON.parse(details) as Record<string, unknown>,
    }));
  return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.id : null };
}
