// Segments and member statistics in D1: the program's segments (cached per isolate), a member's stats row and memberships.
import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { memberships, memberStats, segmentMembers, segments } from "../db/schema";
import { SegmentConditionsSchema, type SegmentConditions } from "./conditions";
import { NO_STATS, type MemberStats } from "./stats";

export interface SegmentRecord {
  id: string;
  name: string;
  description: string | null;
  conditions: SegmentConditions;
  createdAt: string;
  updatedAt: string;
}

type SegmentRow = typeof segments.$inferSelect;
type StatsRow = typeof memberStats.$inferSelect;

export function toSegment(row: SegmentRow): SegmentRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    conditions: SegmentConditionsSchema.parse(JSON.parse(row.conditions)),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toStats(row: StatsRow | undefined): MemberStats | null {
  if (!row) return null;
  return {
    lifetimeSpend: row.lifetimeSpend,
    orderCount: row.orderCount,
    firstOrderAt: row.firstOrderAt,
    lastOrderAt: row.lastOrderAt,
    availablePoints: row.availablePoints,
    onlineOrders: row.onlineOrders,
    storeOrders: row.storeOrders,
    appOrders: row.appOrders,
    categorySpend: JSON.parse(row.categorySpend) as Record<string, number>,
    lastRedemptionAt: row.lastRedemptionAt,
  };
}

/**
 * The program's segments, cached per isolate as keys are: a change made through this isolate
 * drops its entry at once; another isolate sees it within SEGMENT_CACHE_MS.
 */
export const SEGMENT_CACHE_MS = 10_000;
const cache = new Map<string, { segments: SegmentRecord[]; rows: string; loadedAt: number }>();

/**
 * The same list (the same array) for as long as the segments are unchanged, across
 * refreshes too: a member's object keeps its memberships for the list it read them
 * against (src/segments/batch.ts) and reads them again only when the list is another.
 */
export async function programSegments(db: Database, programId: string, nowMs = Date.now()): Promise<SegmentRecord[]> {
  const hit = cache.get(programId);
  if (hit && nowMs - hit.loadedAt < SEGMENT_CACHE_MS) return hit.segments;
  const found = await db.select().from(segments).where(eq(segments.programId, programId)).orderBy(asc(segments.id));
  const rows = JSON.stringify(found);
  const loaded = hit && hit.rows === rows ? hit.segments : found.map(toSegment);
  cache.set(programId, { segments: loaded, rows, loadedAt: nowMs });
  return loaded;
}

export function forgetSegments(programId: string): void {
  cache.delete(programId);
}

export function statsQuery(db: Database, programId: string, memberId: string) {
  return db.select().from(memberStats).where(and(eq(memberStats.programId, programId), eq(memberStats.memberId, memberId)));
}

export function membershipsQuery(db: Database, programId: string, memberId: string) {
  return db
    .select({ segmentId: segmentMembers.segmentId, enteredAt: segmentMembers.enteredAt })
    .from(segmentMembers)
    .where(and(eq(segmentMembers.programId, programId), eq(segmentMembers.memberId, memberId)));
}

/** The plans of the member's memberships in force at `now` (as inForce says: active and paid for). */
export function activePlansQuery(db: Database, programId: string, memberId: string, now: Date) {
  return db
    .select({ planId: memberships.planId })
    .from(memberships)
    .where(and(eq(memberships.programId, programId), eq(memberships.memberId, memberId), eq(memberships.status, "active"), gt(memberships.paidUntil, now.toISOString())));
}

/**
 * Statistics of a member whose batches began before statistics were kept, from their earn
 * entries once (the entries_by_member index); category spend starts empty, as lines were not kept.
 */
export async function backfilledStats(db: Database, programId: string, memberId: string): Promise<MemberStats> {
  return (await backfilledStatsOf(db, programId, [memberId])).get(memberId)!;
}

/** backfilledStats of many members in one round trip (the ids go as one JSON array: D1 binds at most 100 parameters). */
export async function backfilledStatsOf(db: Database, programId: string, memberIds: readonly string[]): Promise<Map<string, MemberStats>> {
  const ids = JSON.stringify(memberIds);
  const [orders, redemptions] = await db.$client.batch([
    db.$client
      .prepare(
        `SELECT member_id AS memberId, count(*) AS n, sum(order_amount) AS spend, min(occurred_at) AS first, max(occurred_at) AS last,
          sum(channel = 'online') AS online, sum(channel = 'store') AS store, sum(channel = 'app') AS app
        FROM entries WHERE program_id = ?1 AND member_id IN (SELECT value FROM json_each(?2)) AND type = 'earn' AND order_id IS NOT NULL
        GROUP BY member_id`,
      )
      .bind(programId, ids),
    db.$client
      .prepare(
        `SELECT member_id AS memberId, max(created_at) AS at FROM redemptions
        WHERE program_id = ?1 AND member_id IN (SELECT value FROM json_each(?2)) AND status IN ('held', 'captured')
        GROUP BY member_id`,
      )
      .bind(programId, ids),
  ]);
  type OrderFigures = { memberId: string; n: number; spend: number | null; first: string | null; last: string | null; online: number | null; store: number | null; app: number | null };
  const orderRows = new Map((orders!.results as OrderFigures[]).map((row) => [row.memberId, row]));
  const redeemedAt = new Map((redemptions!.results as { memberId: string; at: string | null }[]).map((row) => [row.memberId, row.at]));
  return new Map(
    memberIds.map((memberId) => {
      const row = orderRows.get(memberId);
      return [
        memberId,
        {
          ...NO_STATS,
          orderCount: Number(row?.n ?? 0),
          lifetimeSpend: Number(row?.spend ?? 0),
          firstOrderAt: row?.first ?? null,
          lastOrderAt: row?.last ?? null,
          onlineOrders: Number(row?.online ?? 0),
          storeOrders: Number(row?.store ?? 0),
          appOrders: Number(row?.app ?? 0),
          lastRedemptionAt: redeemedAt.get(memberId) ?? null,
        },
      ];
    }),
  );
}

/**
 * What a page of a segment's members is for. `marketing` (the default) lists only members who gave
 * marketing consent: a list that leaves Treue for an email tool must not carry anyone who did not
 * agree to be marketed to, and a caller who forgets the parameter gets the safe list. `service` lists
 * every member of the segment, for messages about their account or for analysis. An erased member is
 * never listed: the id is a pseudonym now, and the person behind it must not be reached through it.
 */
export const SEGMENT_EXPORT_PURPOSES = ["marketing", "service"] as const;
export type SegmentExportPurpose = (typeof SEGMENT_EXPORT_PURPOSES)[number];

/**
 * One page of a segment's members by member id, from the maintained membership table, each checked
 * against their member row (its primary key) for erasure and, for marketing, consent. Driven by the
 * segment's key (CROSS JOIN keeps segment_members outside): with the program's id on the membership
 * too, SQLite may take the member index and walk every membership of the program. A page walks the
 * segment's members in id order until it has `limit` who qualify, so a segment where few consented
 * costs more rows per page, never a scan of the program.
 */
export async function segmentMemberPage(db: Database, segmentId: string, limit: number, after: string | undefined, purpose: SegmentExportPurpose) {
  const consent = purpose === "marketing" ? sql`AND m.marketing_consent = 1` : sql``;
  const rows = await db.all<{ memberId: string; enteredAt: string }>(sql`
    SELECT sm.member_id AS memberId, sm.entered_at AS enteredAt
    FROM segment_members sm CROSS JOIN members m ON m.program_id = sm.program_id AND m.member_id = sm.member_id
    WHERE sm.segment_id = ${segmentId} AND sm.member_id > ${after ?? ""} AND m.erased_at IS NULL ${consent}
    ORDER BY sm.member_id LIMIT ${limit + 1}`);
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.memberId : null };
}

/**
 * What the two lists hold, counted as the page reads (by the segment's key, each membership checked on its
 * member row): `memberCount` the members not erased (the service list), `marketableCount` those of them with
 * marketing consent (the marketing list).
 */
export async function segmentMemberCounts(db: Database, segmentId: string): Promise<{ memberCount: number; marketableCount: number }> {
  const [row] = await db.all<{ members: number; marketable: number | null }>(sql`
    SELECT count(*) AS members, sum(m.marketing_consent = 1) AS marketable
    FROM segment_members sm CROSS JOIN members m ON m.program_id = sm.program_id AND m.member_id = sm.member_id
    WHERE sm.segment_id = ${segmentId} AND m.erased_at IS NULL`);
  return { memberCount: Number(row?.members ?? 0), marketableCount: Number(row?.marketable ?? 0) };
}
