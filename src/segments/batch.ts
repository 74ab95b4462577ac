// What a member's batch writes for segments: the stats row after the plan, the memberships it adds and drops, their events.
import { and, eq, inArray, sql, type AnyColumn } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import { memberStats, segmentMembers } from "../db/schema";
import { event, type OpContext } from "../ledger/plan";
import type { Plan } from "../ledger/state";
import { inSegment } from "./evaluate";
import { factsOf, nextStats, NO_STATS, type MemberStats } from "./stats";
import { activePlansQuery, backfilledStats, membershipsQuery, programSegments, statsQuery, toStats, type SegmentRecord } from "./store";

export interface MemberStatsWrite {
  /** As the batch leaves them: a new row's values. */
  stats: MemberStats;
  /** As they stood before: an existing row moves by the difference. */
  previous: MemberStats;
  entered: string[];
  left: string[];
}

/**
 * What the member's object keeps for segments between its batches, as the
 * last one left them: the object is the one writer of the member's stats
 * row and (between segment changes) of their memberships, so neither is
 * read again before each batch. `segments` is the program's segment list the
 * memberships were read against: a segment created or changed since is a
 * new list (src/segments/store.ts), and the memberships are read again, as
 * the segment's population rewrote them.
 */
export interface KeptSegmentFacts {
  stats: MemberStats;
  wasIn: string[];
  segments: readonly SegmentRecord[];
}

/**
 * Folds the plan into the member's stats and evaluates every segment on the
 * result; entering and leaving are outbox events of the same plan, so they
 * commit (or fail) with it. What is not kept is read in one round trip (the
 * stats row, memberships, and the plans in force when `activePlans` is not
 * given); the program's segments are cached. Answers what to keep once the
 * plan has committed.
 */
export async function withSegmentChanges(
  db: Database,
  programId: string,
  plan: Plan<unknown>,
  availablePoints: number,
  ctx: OpContext,
  kept: KeptSegmentFacts | null = null,
  knownPlans: readonly string[] | null = null,
): Promise<KeptSegmentFacts> {
  const memberId = plan.member.memberId;
  const segments = await programSegments(db, programId, ctx.now.getTime());
  let previous = kept?.stats ?? null;
  let wasIn = kept && kept.segments === segments ? kept.wasIn : null;
  let activePlans = knownPlans;
  if (previous === null || wasIn === null || activePlans === null) {
    const [statsRows, memberships, plans] = await db.batch([
      statsQuery(db, programId, memberId),
      membershipsQuery(db, programId, memberId),
      activePlansQuery(db, programId, memberId, ctx.now),
    ]);
    previous ??= toStats(statsRows[0]) ?? (plan.memberIsNew ? NO_STATS : await backfilledStats(db, programId, memberId));
    wasIn ??= memberships.map((m) => m.segmentId);
    activePlans ??= plans.map((p) => p.planId);
  }
  applySegmentChanges(plan, { previous, wasIn, segments, availablePoints, activePlans }, ctx);
  const { stats, entered, left } = plan.memberStats!;
  const gone = new Set(left);
  return { stats, wasIn: [...wasIn.filter((id) => !gone.has(id)), ...entered], segments };
}

/** The pure half of withSegmentChanges: the stats after the plan, and the plan's entered and left events. */
export function applySegmentChanges(
  plan: Plan<unknown>,
  known: { previous: MemberStats; wasIn: readonly string[]; segments: readonly Pick<SegmentRecord, "id" | "conditions">[]; availablePoints: number; activePlans: readonly string[] },
  ctx: OpContext,
): void {
  const memberId = plan.member.memberId;
  const stats = nextStats(known.previous, factsOf(plan, known.availablePoints));
  const member = { tier: plan.member.tier, attributes: plan.member.attributes, activePlans: known.activePlans, birthdayMonth: plan.member.birthday?.month ?? null };
  const inNow = new Set(known.segments.filter((s) => inSegment(stats, member, s.conditions, ctx.now)).map((s) => s.id));
  const wasIn = new Set(known.wasIn);
  const entered = [...inNow].filter((id) => !wasIn.has(id));
  // A membership of a segment deleted meanwhile is dropped without an event: the segment is gone.
  const existing = new Set(known.segments.map((s) => s.id));
  const left = [...wasIn].filter((id) => !inNow.has(id));
  for (const segmentId of entered) plan.events.push(event(ctx, "segment.entered", null, { memberId, segmentId }));
  for (const segmentId of left) if (existing.has(segmentId)) plan.events.push(event(ctx, "segment.left", null, { memberId, segmentId }));
  plan.memberStats = { stats, previous: known.previous, entered, left };
}

/**
 * The batch's statements for the stats row and memberships (commitPlan adds them to the member's one batch).
 * The row is an UPSERT: a new row gets the stats as they stand after the plan; an existing one moves by the
 * plan's increments (counts and spend added, first and last dates widened), so D1's figures never rest on
 * the object's copy. Two figures are written whole: the available points (a balance, not a sum of moves)
 * and the category spend, which keeps only the largest categories and changes only with an order's lines.
 */
export function memberStatsStatements(db: Database, programId: string, memberId: string, write: MemberStatsWrite, at: string): BatchItem<"sqlite">[] {
  const { stats: next, previous } = write;
  const { categorySpend, ...figures } = next;
  const values = { ...figures, categorySpend: JSON.stringify(categorySpend), updatedAt: at };
  const add = (column: AnyColumn, by: number) => sql`${column} + ${by}`;
  const earliest = (column: AnyColumn, value: string) => sql`coalesce(min(${column}, ${value}), ${value})`;
  const latest = (column: AnyColumn, value: string) => sql`coalesce(max(${column}, ${value}), ${value})`;
  const set: Record<string, unknown> = { availablePoints: next.availablePoints, updatedAt: at };
  if (next.orderCount !== previous.orderCount) {
    set.orderCount = add(memberStats.orderCount, next.orderCount - previous.orderCount);
    set.lifetimeSpend = add(memberStats.lifetimeSpend, next.lifetimeSpend - previous.lifetimeSpend);
    set.onlineOrders = add(memberStats.onlineOrders, next.onlineOrders - previous.onlineOrders);
    set.storeOrders = add(memberStats.storeOrders, next.storeOrders - previous.storeOrders);
    set.appOrders = add(memberStats.appOrders, next.appOrders - previous.appOrders);
  }
  if (next.firstOrderAt !== null && next.firstOrderAt !== previous.firstOrderAt) set.firstOrderAt = earliest(memberStats.firstOrderAt, next.firstOrderAt);
  if (next.lastOrderAt !== null && next.lastOrderAt !== previous.lastOrderAt) set.lastOrderAt = latest(memberStats.lastOrderAt, next.lastOrderAt);
  if (next.lastRedemptionAt !== null && next.lastRedemptionAt !== previous.lastRedemptionAt) set.lastRedemptionAt = latest(memberStats.lastRedemptionAt, next.lastRedemptionAt);
  if (JSON.stringify(categorySpend) !== JSON.stringify(previous.categorySpend)) set.categorySpend = values.categorySpend;
  const statements: BatchItem<"sqlite">[] = [
    db
      .insert(memberStats)
      .values({ programId, memberId, ...values })
      .onConflictDoUpdate({ target: [memberStats.programId, memberStats.memberId], set }),
  ];
  for (const segmentId of write.entered) {
    statements.push(db.insert(segmentMembers).values({ programId, segmentId, memberId, enteredAt: at }).onConflictDoNothing());
  }
  if (write.left.length > 0) {
    statements.push(
      db
        .delete(segmentMembers)
        .where(and(eq(segmentMembers.programId, programId), eq(segmentMembers.memberId, memberId), inArray(segmentMembers.segmentId, write.left))),
    );
  }
  return statements;
}

/** The member's segments as their last batch left them (the campaigns' `segments` condition reads these). */
export async function keptSegmentIds(db: Database, programId: string, memberId: string): Promise<string[]> {
  return (await membershipsQuery(db, programId, memberId)).map((m) => m.segmentId);
}
