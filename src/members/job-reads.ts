// D1 reads behind the scheduled operations: warnings already sent, and qualifying totals over a window.
import { and, eq, gt, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { expiryWarnings } from "../db/schema";
import type { ProgramSettings } from "../ledger/settings";
import { qualifyingWindowStart } from "../ledger/tier-review";

/** The expiry dates this member has been warned about that still lie ahead. */
export async function readWarnedExpiries(db: Database, programId: string, memberId: string, now: Date): Promise<Set<string>> {
  const rows = await db
    .select({ expiresAt: expiryWarnings.expiresAt })
    .from(expiryWarnings)
    .where(and(eq(expiryWarnings.programId, programId), eq(expiryWarnings.memberId, memberId), gt(expiryWarnings.expiresAt, now.toISOString())));
  return new Set(rows.map((r) => r.expiresAt));
}

/**
 * Qualifying totals over the program's window for the members whose ids lie
 * in [firstMemberId, lastMemberId], read through the entries_by_member index:
 * earnings in the window less clawbacks made in it, as points or as spend.
 * Returns null for a lifetime window, where the member's counter is the total.
 */
export async function readQualifying(
  db: Database,
  programId: string,
  firstMemberId: string,
  lastMemberId: string,
  settings: ProgramSettings,
  now: Date,
): Promise<Map<string, number> | null> {
  const start = qualifyingWindowStart(settings.tierQualification, now);
  if (!start) return null;
  const amount =
    settings.tierQualification.basis === "spend"
      ? sql`CASE type WHEN 'earn' THEN order_amount ELSE -refunded_amount END`
      : // A clawback's points leave out what it took back from expiry; the qualifying points lose it all the same.
        sql`points - CASE type WHEN 'clawback' THEN from_expired ELSE 0 END`;
  const rows = await db.all<{ member_id: string; total: number }>(sql`
    SELECT member_id, SUM(${amount}) AS total FROM entries
    WHERE program_id = ${programId} AND member_id >= ${firstMemberId} AND member_id <= ${lastMemberId}
      AND type IN ('earn', 'clawback') AND occurred_at >= ${start.toISOString()} AND occurred_at <= ${now.toISOString()}
    GROUP BY member_id`);
  return new Map(rows.map((r) => [r.member_id, Math.max(0, Number(r.total))]));
}
