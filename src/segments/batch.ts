// What a member's batch writes for segments: the stats row after the plan, the memberships it adds and drops, their events.
import { and, eq, inArray } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import { memberStats, segmentMembers } from "../db/schema";
import { event, type OpContext } from "../ledger/plan";
import type { Plan } from "../ledger/state";
import { inSegment } from "./evaluate";
import { factsOf, nextStats, NO_STATS, type MemberStats } from "./stats";
import { activePlansQuery, backfilledStats, membershipsQuery, programSegments, statsQuery, toStats, type SegmentRecord } from "./store";

export interface MemberStatsWrite {
  stats: MemberStats;
  entered: string[];
  left: string[];
}

/**
 * Reads the member's stats row, segment memberships and plans in force (one round trip; the program's segments are
 * cached), folds the plan into the stats and evaluates every segment on the result. Entering
 * and leaving are outbox events of the same plan, so they commit (or fail) with it.
 */
export async function withSegmentChanges(
  db: Database,
  programId: string,
  plan: Plan<unknown>,
  availablePoints: number,
  ctx: OpContext,
): Promise<void> {
  const memberId = plan.member.memberId;
  const [[statsRow], memberships, plans] = await db.batch([
    statsQuery(db, programId, memberId),
    membershipsQuery(db, programId, memberId),
    activePlansQuery(db, programId, memberId, ctx.now),
  ]);
  const activePlans = plans.map((p) => p.planId);
  const segments = await programSegments(db, programId, ctx.now.getTime());
  const previous = toStats(statsRow) ?? (plan.memberIsNew ? NO_STATS : await backfilledStats(db, programId, memberId));
  applySegmentChanges(plan, { previous, wasIn: memberships.map((m) => m.segmentId), segments, availablePoints, activePlans }, ctx);
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
  plan.memberStats = { stats, entered, left };
}

/** The batch's statements for the stats row and memberships (commitPlan adds them to the member's one batch). */
export function memberStatsStatements(db: Database, programId: string, memberId: string, write: MemberStatsWrite, at: string): BatchItem<"sqlite">[] {
  const { categorySpend, ...figures } = write.stats;
  const values = { ...figures, categorySpend: JSON.stringify(categorySpend), updatedAt: at };
  const statements: BatchItem<"sqlite">[] = [
    db
      .insert(memberStats)
      .values({ programId, memberId, ...values })
      .onConflictDoUpdate({ target: [memberStats.programId, memberStats.memberId], set: values }),
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
