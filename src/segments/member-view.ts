// A member's segments now: their stats row (or, before their first batch since statistics were kept, the backfill) evaluated live.
import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { members } from "../db/schema";
import { inSegment, type SegmentMember } from "./evaluate";
import { favouriteCategories, type MemberStats } from "./stats";
import { activePlansQuery, backfilledStats, programSegments, statsQuery, toStats, type SegmentRecord } from "./store";

export interface MemberSegments {
  stats: MemberStats;
  segments: SegmentRecord[];
}

/**
 * Evaluated at `now` rather than read from the membership table: conditions on time (days
 * since the last order, recency) move without a batch, and this answer should not lag.
 * `known` skips the member's row when the caller has it (the catalog has the member's object's view).
 * Null for a member the program does not have, or has erased.
 */
export async function segmentsOfMember(
  db: Database,
  programId: string,
  memberId: string,
  now: Date,
  known?: { member: SegmentMember; availablePoints: number },
): Promise<MemberSegments | null> {
  const memberRow = db
    .select({ tier: members.tier, attributes: members.attributes, birthdayMonth: members.birthdayMonth, erasedAt: members.erasedAt })
    .from(members)
    .where(and(eq(members.programId, programId), eq(members.memberId, memberId)));
  const [[statsRow], [row], plans] = await db.batch([statsQuery(db, programId, memberId), memberRow, activePlansQuery(db, programId, memberId, now)]);
  // An erased member is not there for any request (the id is a pseudonym now), as everywhere else.
  if (!row || row.erasedAt !== null) return null;
  const activePlans = plans.map((p) => p.planId);
  const member = { tier: known?.member.tier ?? row.tier, attributes: known?.member.attributes ?? (JSON.parse(row.attributes) as Record<string, unknown>), activePlans, birthdayMonth: row.birthdayMonth };
  const stored = toStats(statsRow) ?? (await backfilledStats(db, programId, memberId));
  const stats = known ? { ...stored, availablePoints: known.availablePoints } : stored;
  const all = await programSegments(db, programId, now.getTime());
  return { stats, segments: all.filter((s) => inSegment(stats, member, s.conditions, now)) };
}

export function statsView(stats: MemberStats) {
  return {
    lifetimeSpend: stats.lifetimeSpend,
    orderCount: stats.orderCount,
    firstOrderAt: stats.firstOrderAt,
    lastOrderAt: stats.lastOrderAt,
    availablePoints: stats.availablePoints,
    channels: { online: stats.onlineOrders, store: stats.storeOrders, app: stats.appOrders },
    favouriteCategories: favouriteCategories(stats),
    lastRedemptionAt: stats.lastRedemptionAt,
  };
}
