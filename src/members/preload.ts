// What a batch's members' objects would load on their first call, read for all of them at once by the bulk route.
import { and, eq, sql, type AnyColumn } from "drizzle-orm";
import type { Database } from "../db/client";
import { members, memberStats, programs, redemptions, segmentMembers } from "../db/schema";
import type { MemberState, OpenLot } from "../ledger/state";
import { heldByMember, heldMembershipsQuery, type HeldMembership, type HeldMembershipRow } from "../memberships/store";
import { backfilledStatsOf, toStats } from "../segments/store";
import type { MemberStats } from "../segments/stats";
import { toMember } from "./store";

/**
 * A member's state as the object's own first load would read it (src/members/store.ts
 * readMemberState, the memberships of heldMemberships, the segment facts of
 * withSegmentChanges). Only for members with every open lot in it and no open hold,
 * so it is the whole state, never a window.
 */
export interface MemberPreload {
  state: MemberState;
  closedThrough: string | null;
  held: HeldMembership[];
  segments: { stats: MemberStats; wasIn: string[] };
}

/** Open lots of many members (the literal 0 keeps the partial indexes of open lots usable), at most ?3 each. */
export const PRELOAD_LOTS_SQL = `SELECT member_id AS memberId, id, partner_id AS partnerId, order_id AS orderId, points, remaining,
    earned_at AS earnedAt, available_at AS availableAt, expires_at AS expiresAt
  FROM (SELECT *, row_number() OVER (PARTITION BY member_id ORDER BY id) AS n FROM lots
    WHERE program_id = ?1 AND member_id IN (SELECT value FROM json_each(?2)) AND remaining > 0)
  WHERE n <= ?3`;

/**
 * The preloads of the members given, however many: two D1 batches at once, and one
 * more when some lack a stats row (the ids go as one JSON array: D1 binds at most 100
 * parameters). A member who
 * does not exist, holds points, or has more than `lotWindow` open lots gets none:
 * their object loads itself, as it would anyway.
 */
export async function readPreloads(db: Database, programId: string, memberIds: readonly string[], lotWindow: number): Promise<Map<string, MemberPreload>> {
  if (memberIds.length === 0) return new Map();
  const ids = JSON.stringify(memberIds);
  const among = (column: AnyColumn) => sql`${column} IN (SELECT value FROM json_each(${ids}))`;
  // Raw statements go in a D1 batch of their own (drizzle's batch cannot bind a raw query's parameters), at the same time.
  const [[memberRows, holding, programRows, statsRows, segmentRows], [lotResult, heldResult]] = await Promise.all([
    db.batch([
      db.select().from(members).where(and(eq(members.programId, programId), among(members.memberId))),
      db.selectDistinct({ memberId: redemptions.memberId }).from(redemptions).where(and(eq(redemptions.programId, programId), among(redemptions.memberId), eq(redemptions.status, "held"))),
      db.select({ closedThrough: programs.closedThrough }).from(programs).where(eq(programs.id, programId)),
      db.select().from(memberStats).where(and(eq(memberStats.programId, programId), among(memberStats.memberId))),
      db.select({ memberId: segmentMembers.memberId, segmentId: segmentMembers.segmentId }).from(segmentMembers).where(and(eq(segmentMembers.programId, programId), among(segmentMembers.memberId))),
    ]),
    db.$client.batch([
      // At most one past the window per member: a member who reaches it loads their own window.
      db.$client.prepare(PRELOAD_LOTS_SQL).bind(programId, ids, lotWindow + 1),
      heldMembershipsQuery(db.$client, programId, memberIds),
    ]),
  ]);
  const lotRows = lotResult!.results as (OpenLot & { memberId: string })[];
  const heldRows = heldResult!.results as HeldMembershipRow[];
  const holds = new Set(holding.map((h) => h.memberId));
  const lotsOf = new Map<string, OpenLot[]>();
  for (const { memberId, ...lot } of lotRows) appendTo(lotsOf, memberId, lot);
  const wanted = memberRows.filter((row) => !holds.has(row.memberId) && (lotsOf.get(row.memberId)?.length ?? 0) <= lotWindow);
  const stats = new Map(statsRows.map((row) => [row.memberId, toStats(row)!]));
  // Members whose batches began before statistics were kept: their object would backfill them first.
  const unkept = wanted.map((row) => row.memberId).filter((id) => !stats.has(id));
  if (unkept.length > 0) for (const [memberId, backfilled] of await backfilledStatsOf(db, programId, unkept)) stats.set(memberId, backfilled);
  const held = heldByMember(heldRows);
  const wasIn = new Map<string, string[]>();
  for (const { memberId, segmentId } of segmentRows) appendTo(wasIn, memberId, segmentId);
  const closedThrough = programRows[0]?.closedThrough ?? null;
  return new Map(
    wanted.map((row) => [
      row.memberId,
      {
        state: { member: toMember(row), lots: lotsOf.get(row.memberId) ?? [], rest: null, holds: [] },
        closedThrough,
        held: held.get(row.memberId) ?? [],
        segments: { stats: stats.get(row.memberId)!, wasIn: wasIn.get(row.memberId) ?? [] },
      },
    ]),
  );
}

/** Adds to a member's list in place (a copy per row would cost a window of lots its square). */
function appendTo<T>(lists: Map<string, T[]>, memberId: string, value: T): void {
  const list = lists.get(memberId);
  if (list) list.push(value);
  else lists.set(memberId, [value]);
}
