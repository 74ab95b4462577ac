// One page of ledger entries, newest first, with a cursor: the member's history and a partner's.
import { and, desc, lt, sql, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import { entries } from "../db/schema";
import { entryForPartner, lotIdsOf } from "./partner-view";

/**
 * For a partner key (`partnerId` set) each entry is shown as that partner may
 * see it (src/members/partner-view.ts), with the issuers of the lots the page
 * names read in one query.
 */
export async function entryPage(db: Database, conditions: SQL[], limit: number, cursor: string | undefined, partnerId: string | null = null) {
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
  const nextCursor = rows.length > limit ? data[data.length - 1]!.id : null;
  if (!partnerId) return { data, nextCursor };
  const issuers = await lotIssuers(db, [...new Set(data.flatMap(lotIdsOf))]);
  return { data: data.map((e) => entryForPartner(e, partnerId, issuers)), nextCursor };
}

async function lotIssuers(db: Database, lotIds: string[]): Promise<Map<string, string | null>> {
  if (lotIds.length === 0) return new Map();
  // One bound JSON array, not one parameter per id: D1 binds at most 100 per statement.
  const rows = await db.all<{ id: string; partner_id: string | null }>(
    sql`SELECT id, partner_id FROM lots WHERE id IN (SELECT value FROM json_each(${JSON.stringify(lotIds)}))`,
  );
  return new Map(rows.map((r) => [r.id, r.partner_id]));
}
