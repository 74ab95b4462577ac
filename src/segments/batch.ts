// What a member's batch writes for segments: the stats row after the plan, the memberships it adds and drops, their events.
import type { Database } from "../db/client";
import { segmentMembers } from "../db/schema";
import { insertRow, keptSql } from "../db/statements";
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
  return { stats: plan.memberStats!.stats, wasIn: membershipsAfter(wasIn, plan.memberStats!), segments };
}

/** The member's segments once a batch's entered and left have applied. */
export function membershipsAfter(wasIn: readonly string[], { entered, left }: Pick<MemberStatsWrite, "entered" | "left">): string[] {
  const gone = new Set(left);
  return [...wasIn.filter((id) => !gone.has(id)), ...entered];
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
export function memberStatsStatements(d1: D1Database, programId: string, memberId: string, write: MemberStatsWrite, at: string): D1PreparedStatement[] {
  const { stats: next, previous } = write;
  const orders = next.orderCount !== previous.orderCount;
  const firstOrder = next.firstOrderAt !== null && next.firstOrderAt !== previous.firstOrderAt;
  const lastOrder = next.lastOrderAt !== null && next.lastOrderAt !== previous.lastOrderAt;
  const lastRedemption = next.lastRedemptionAt !== null && next.lastRedemptionAt !== previous.lastRedemptionAt;
  const categorySpend = JSON.stringify(next.categorySpend);
  const categories = categorySpend !== JSON.stringify(previous.categorySpend);
  const row = [
    programId, memberId, next.lifetimeSpend, next.orderCount, next.firstOrderAt, next.lastOrderAt, next.availablePoints,
    next.onlineOrders, next.storeOrders, next.appOrders, categorySpend, next.lastRedemptionAt, at,
  ];
  const increments = orders
    ? [next.orderCount - previous.orderCount, next.lifetimeSpend - previous.lifetimeSpend, next.onlineOrders - previous.onlineOrders, next.storeOrders - previous.storeOrders, next.appOrders - previous.appOrders]
    : [];
  const statements = [d1.prepare(statsUpsertSql(orders, firstOrder, lastOrder, lastRedemption, categories)).bind(...row, ...increments)];
  for (const segmentId of write.entered) statements.push(insertRow(d1, segmentMembers, { programId, segmentId, memberId, enteredAt: at }, "ignore"));
  if (write.left.length > 0) statements.push(d1.prepare(LEAVE_SEGMENTS_SQL).bind(programId, memberId, JSON.stringify(write.left)));
  return statements;
}

const LEAVE_SEGMENTS_SQL = "DELETE FROM segment_members WHERE program_id = ?1 AND member_id = ?2 AND segment_id IN (SELECT value FROM json_each(?3))";

/**
 * The stats row's upsert, kept per shape. Parameters: ?1-?13 the row as the
 * batch leaves it, ?14-?18 the order figures' increments.
 */
function statsUpsertSql(orders: boolean, firstOrder: boolean, lastOrder: boolean, lastRedemption: boolean, categories: boolean): string {
  return keptSql(`member_stats|upsert|${[orders, firstOrder, lastOrder, lastRedemption, categories].map(Number).join("")}`, () => {
    const set = ["available_points = ?7", "updated_at = ?13"];
    if (orders) {
      set.push("order_count = order_count + ?14", "lifetime_spend = lifetime_spend + ?15", "online_orders = online_orders + ?16", "store_orders = store_orders + ?17", "app_orders = app_orders + ?18");
    }
    if (firstOrder) set.push("first_order_at = coalesce(min(first_order_at, ?5), ?5)");
    if (lastOrder) set.push("last_order_at = coalesce(max(last_order_at, ?6), ?6)");
    if (lastRedemption) set.push("last_redemption_at = coalesce(max(last_redemption_at, ?12), ?12)");
    if (categories) set.push("category_spend = ?11");
    return `INSERT INTO member_stats (program_id, member_id, lifetime_spend, order_count, first_order_at, last_order_at, available_points,
        online_orders, store_orders, app_orders, category_spend, last_redemption_at, updated_at)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
      ON CONFLICT (program_id, member_id) DO UPDATE SET ${set.join(", ")}`;
  });
}

/** The member's segments as their last batch left them (the campaigns' `segments` condition reads these). */
export async function keptSegmentIds(db: Database, programId: string, memberId: string): Promise<string[]> {
  return (await membershipsQuery(db, programId, memberId)).map((m) => m.segmentId);
}
