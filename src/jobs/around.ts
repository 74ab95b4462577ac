// Changes that time alone brings (expiry, tier reviews), written for many members in one D1 batch around their
// objects instead of one object call each. The plans are the ones the objects build, on the state their first
// load would read; every member row is written under its version, so a member who changed meanwhile fails the
// batch, and that chunk's members go to their objects, which decide again on what they read themselves.
import { and, eq, sql } from "drizzle-orm";
import { forgetProgramKeys } from "../app/auth";
import { piecesFor } from "../db/pieces";
import { entries, kpiPending, lots, members, outboxEvents } from "../db/schema";
import { insertRow, toD1, updateRows } from "../db/statements";
import { pendingKpiRow } from "../kpis/fold";
import { kpiWritesOfPlan, mergedKpiWrites } from "../kpis/rollups";
import { balanceOf } from "../ledger/balance";
import { assertPlanInRange } from "../ledger/limits";
import type { OpContext } from "../ledger/plan";
import type { MemberState, Plan } from "../ledger/state";
import { placeTier } from "../ledger/tier-review";
import { newId } from "../lib/ids";
import { inForce } from "../memberships/memberships";
import { lotWindowOf } from "../members/member-ledger";
import { readPreloads, type MemberPreload } from "../members/preload";
import { classifyCommitError, entryRow, memberUpdate, outboxRow } from "../members/store";
import { applySegmentChanges, memberStatsStatements, membershipsAfter } from "../segments/batch";
import { programSegments, type SegmentRecord } from "../segments/store";
import { fromPlan } from "../webhooks/events";
import { publishCommitted } from "../webhooks/outbox";
import type { JobContext } from "./support";

/**
 * Members per D1 batch. Small enough that a member changing meanwhile sends
 * few others to their objects with it, large enough that the batch, not the
 * round trip, is what a member costs.
 */
export const AROUND_CHUNK = 50;

/** What a job has written around the objects for a member. */
export interface AroundWork<R> {
  /**
   * The member's plans, each on the state the one before it leaves, from the
   * state the member's object would load; [] when nothing is due, null when
   * the member's object must do it (its state is not what the job can read).
   */
  plans(state: MemberState, ctx: OpContext): Plan<R>[] | null;
  /** The job's items the plans did. */
  items(plans: readonly Plan<R>[]): number;
}

export interface AroundOutcome {
  /** Members done here, with their items (0: nothing was due). */
  done: Map<string, number>;
  /** Members left to their objects. */
  viaObjects: string[];
}

/** What a plan written here may hold besides the member, lot changes, entries and events (the rest is the object's). */
const OBJECTS_ONLY = [
  "newOrder", "orderRefund", "newRedemption", "expiryWarnings", "rewardClaims", "ruleGrants", "newOrderEarning", "orderEarningUpdate",
  "budgetDrawRows", "newActivity", "activityUpdate", "memberBonuses", "importLines", "audit",
] as const;

function writableHere(plan: Plan<unknown>): boolean {
  if (plan.memberIsNew || plan.newLots.length || plan.redemptionUpdates.length || plan.allocations.length) return false;
  return OBJECTS_ONLY.every((field) => {
    const value = plan[field];
    return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
  });
}

/**
 * Writes `work` for `memberIds` in batches of AROUND_CHUNK members. A member
 * the preload leaves out (holds, more open lots than a window, no row), whose
 * object would first change something else (a tier to place), whose plans
 * hold more than this writes, or whose batch failed, is left to its object.
 */
export async function writeAround<R>(ctx: JobContext, memberIds: readonly string[], work: AroundWork<R>): Promise<AroundOutcome> {
  const { planned, outcome } = await planAround(ctx, memberIds, work);
  return commitAround(ctx, planned, outcome, work);
}

/** A member's plans, ready for the batch. */
export interface Planned<R> {
  memberId: string;
  plans: Plan<R>[];
}

/** The plans of the members the job can write here, from one set-based preload; the outcome so far holds the others. */
export async function planAround<R>(ctx: JobContext, memberIds: readonly string[], work: AroundWork<R>): Promise<{ planned: Planned<R>[]; outcome: AroundOutcome }> {
  const outcome: AroundOutcome = { done: new Map(), viaObjects: [] };
  if (memberIds.length === 0) return { planned: [], outcome };
  // Each D1 round trip is a subrequest of the invocation, as an object call is: the preload's two batches, each chunk's one.
  ctx.budget.calls.used += 2;
  const [preloads, segments] = await Promise.all([
    readPreloads(ctx.db, ctx.programId, memberIds, lotWindowOf(ctx.env)),
    programSegments(ctx.db, ctx.programId, ctx.now.getTime()),
  ]);
  const planned: Planned<R>[] = [];
  for (const memberId of memberIds) {
    const preload = preloads.get(memberId);
    const plans = preload ? plansFor(ctx, preload, segments, work) : null;
    if (plans === null) outcome.viaObjects.push(memberId);
    else if (plans.length === 0) outcome.done.set(memberId, 0);
    else planned.push({ memberId, plans });
  }
  return { planned, outcome };
}

/** Writes the plans chunk by chunk; a chunk that fails goes to its members' objects whole. */
export async function commitAround<R>(ctx: JobContext, planned: readonly Planned<R>[], outcome: AroundOutcome, work: AroundWork<R>): Promise<AroundOutcome> {
  for (let at = 0; at < planned.length; at += AROUND_CHUNK) {
    const chunk = planned.slice(at, at + AROUND_CHUNK);
    ctx.budget.calls.used += 1;
    try {
      await ctx.db.$client.batch(chunkStatements(ctx, chunk.flatMap((m) => m.plans)));
    } catch (error) {
      // Failed whole (or with an outcome unknown): each object reads what D1 holds and does what is still due.
      if (classifyCommitError(error) !== "stale_version") {
        console.log(JSON.stringify({ level: "warn", message: "a batch around members' objects failed", error: error instanceof Error ? error.message : String(error) }));
      }
      outcome.viaObjects.push(...chunk.map((m) => m.memberId));
      continue;
    }
    // Requests in this isolate see the new epoch at once; other isolates within the key cache's lifetime.
    forgetProgramKeys(ctx.programId);
    const createdAt = ctx.now.toISOString();
    await publishCommitted(ctx.env, chunk.flatMap(({ memberId, plans }) => plans.flatMap((plan) => fromPlan(ctx.programId, memberId, plan.events, createdAt))));
    for (const { memberId, plans } of chunk) outcome.done.set(memberId, work.items(plans));
  }
  return outcome;
}

/** The member's plans with what the object's commit adds (KPI figures, segment changes), or null for its object. */
function plansFor<R>(ctx: JobContext, preload: MemberPreload, segments: readonly SegmentRecord[], work: AroundWork<R>): Plan<R>[] | null {
  const { settings, now } = ctx;
  const opCtx: OpContext = { settings, now, newId, partnerId: null, closedThrough: preload.closedThrough };
  // The object places a tier before anything else it does (src/ledger/tier-review.ts placeTier).
  if (placeTier(preload.state, null, opCtx)) return null;
  let plans: Plan<R>[] | null;
  try {
    plans = work.plans(preload.state, opCtx);
    if (plans === null) return null;
    for (const plan of plans) assertPlanInRange(plan);
  } catch {
    // Refused (numbers past safe integers, say): the object answers it, as it answers it.
    return null;
  }
  if (!plans.every(writableHere)) return null;
  const activePlans = preload.held.filter((h) => inForce(h.membership, now)).map((h) => h.membership.planId);
  let { stats: previous, wasIn } = preload.segments;
  for (const plan of plans) {
    if (ctx.env.KPI_ROLLUPS !== "off") plan.kpi ??= kpiWritesOfPlan(plan, settings.timeZone);
    const availablePoints = balanceOf(plan.nextState, settings, now).available;
    applySegmentChanges(plan, { previous, wasIn, segments, availablePoints, activePlans }, opCtx);
    previous = plan.memberStats!.stats;
    wasIn = membershipsAfter(wasIn, plan.memberStats!);
  }
  return plans;
}

/**
 * One batch for the plans of a chunk: the epoch first, then each member row
 * under its version (a plan after another steps it again), the lots' changes
 * in one statement, entries and events in multi-row inserts, one pending KPI
 * row, and each member's segment statistics.
 */
function chunkStatements(ctx: JobContext, plans: readonly Plan<unknown>[]): D1PreparedStatement[] {
  const { db, programId } = ctx;
  const d1 = db.$client;
  const at = ctx.now.toISOString();
  const statements: D1PreparedStatement[] = [d1.prepare("UPDATE programs SET cache_epoch = cache_epoch + 1 WHERE id = ?1").bind(programId)];
  for (const plan of plans) {
    // The version trigger aborts the batch unless this is exactly one step past what the preload read.
    statements.push(updateRows(d1, members, memberUpdate(plan.member, plan.memberBefore), { programId, memberId: plan.member.memberId }));
  }
  const deltas = plans.flatMap((plan) => plan.lotDeltas.map(({ lotId, delta, expired }) => [lotId, delta, expired ?? 0]));
  if (deltas.length > 0) {
    // Deltas, not values, as the object writes them: the CHECK on remaining refuses any overdraw.
    const d = sql`(SELECT value ->> 0 AS id, SUM(value ->> 1) AS delta, SUM(value ->> 2) AS expired FROM json_each(${JSON.stringify(deltas)}) GROUP BY 1) AS d`;
    statements.push(
      toD1(
        d1,
        db
          .update(lots)
          .set({ remaining: sql`${lots.remaining} + d.delta`, expired: sql`${lots.expired} + d.expired` })
          .from(d)
          .where(and(eq(lots.programId, programId), sql`${lots.id} = d.id`)),
      ),
    );
  }
  const entryRows = plans.flatMap((plan) => plan.entries.map((e) => entryRow(programId, plan.member.memberId, e)));
  for (const rows of piecesFor(entries, entryRows)) statements.push(toD1(d1, db.insert(entries).values(rows)));
  const eventRows = plans.flatMap((plan) => plan.events.map((ev) => outboxRow(programId, plan.member.memberId, ev, at)));
  for (const rows of piecesFor(outboxEvents, eventRows)) statements.push(toD1(d1, db.insert(outboxEvents).values(rows)));
  const kpis = plans.flatMap((plan) => (plan.kpi ? [plan.kpi] : []));
  const pending = kpis.length > 0 ? pendingKpiRow(programId, mergedKpiWrites(kpis), at) : null;
  if (pending) statements.push(insertRow(d1, kpiPending, pending));
  for (const plan of plans) statements.push(...memberStatsStatements(d1, programId, plan.member.memberId, plan.memberStats!, at));
  return statements;
}
