// D1 reads behind the scheduled operations: warnings already sent, and qualifying totals over a window.
import { and, asc, eq, gt, sql, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import { expiryWarnings, members } from "../db/schema";
import type { ProgramSettings } from "../ledger/settings";
import { qualifyingWindowStart, type TierFields } from "../ledger/tier-review";

/** The expiry dates this member has been warned about that still lie ahead. */
export async function readWarnedExpiries(db: Database, programId: string, memberId: string, now: Date): Promise<Set<string>> {
  const rows = await db
    .select({ expiresAt: expiryWarnings.expiresAt })
    .from(expiryWarnings)
    .where(and(eq(expiryWarnings.programId, programId), eq(expiryWarnings.memberId, memberId), gt(expiryWarnings.expiresAt, now.toISOString())));
  return new Set(rows.map((r) => r.expiresAt));
}

/**
 * What an entry `e` adds to the qualifying total: earnings less clawbacks, as
 * points or as spend, over the window's entries (through entries_by_member).
 * A clawback's points leave out what it took back from expiry; the
 * qualifying points lose it all the same.
 */
function qualifyingEntries(settings: ProgramSettings, start: Date, now: Date): { amount: SQL; window: SQL } {
  const amount =
    settings.tierQualification.basis === "spend"
      ? sql`CASE e.type WHEN 'earn' THEN e.order_amount ELSE -e.refunded_amount END`
      : sql`e.points - CASE e.type WHEN 'clawback' THEN e.from_expired ELSE 0 END`;
  return { amount, window: sql`e.type IN ('earn', 'clawback') AND e.occurred_at >= ${start.toISOString()} AND e.occurred_at <= ${now.toISOString()}` };
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
  const { amount, window } = qualifyingEntries(settings, start, now);
  const rows = await db.all<{ member_id: string; total: number }>(sql`
    SELECT e.member_id, SUM(${amount}) AS total FROM entries e
    WHERE e.program_id = ${programId} AND e.member_id >= ${firstMemberId} AND e.member_id <= ${lastMemberId} AND ${window}
    GROUP BY e.member_id`);
  return new Map(rows.map((r) => [r.member_id, Math.max(0, Number(r.total))]));
}

/**
 * What a tier review reads of a member in D1, read together in one statement
 * (one snapshot): the member's tier fields at `version`, and the qualifying
 * total over the window as it stood at that version (null for a lifetime
 * window). The member's object may decide on the total only while it holds
 * that same version: every entry of the member is written with a step of it.
 */
export interface TierReading extends TierFields {
  memberId: string;
  version: number;
  windowQualifying: number | null;
}

/**
 * Up to `limit` members matching `where` in member id order, each with its
 * window's qualifying total: a subquery per member on entries_by_member.
 */
export function tierPageQuery(db: Database, where: SQL | undefined, limit: number, settings: ProgramSettings, now: Date) {
  const start = qualifyingWindowStart(settings.tierQualification, now);
  let total: SQL<number | null> = sql`NULL`;
  if (start) {
    const { amount, window } = qualifyingEntries(settings, start, now);
    // Spelled out: drizzle leaves a column of the outer table unqualified, which inside the subquery names e's own.
    total = sql`(SELECT coalesce(SUM(${amount}), 0) FROM entries e WHERE e.program_id = "members"."program_id" AND e.member_id = "members"."member_id" AND ${window})`;
  }
  return db
    .select({
      memberId: members.memberId,
      version: members.version,
      tier: members.tier,
      qualifyingPoints: members.qualifyingPoints,
      tierDowngradeAt: members.tierDowngradeAt,
      tierLockedUntil: members.tierLockedUntil,
      total,
    })
    .from(members)
    .where(where)
    .orderBy(asc(members.memberId))
    .limit(limit);
}

export async function readTierPage(db: Database, where: SQL | undefined, limit: number, settings: ProgramSettings, now: Date): Promise<TierReading[]> {
  const lifetime = qualifyingWindowStart(settings.tierQualification, now) === null;
  const rows = await tierPageQuery(db, where, limit, settings, now);
  return rows.map(({ total, ...row }) => ({ ...row, windowQualifying: lifetime ? null : Math.max(0, Number(total ?? 0)) }));
}
