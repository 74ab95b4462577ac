// Activities members earn points for (a review, a share, a survey) as plans: posted (earning at once or
// pending moderation), then confirmed (earning then) or rejected. One per member, type and reference.
import type { CappedRule, EarnLine, EarnResult } from "../campaigns/evaluate";
import { addBonus, type BonusGranted } from "../bonuses/grant";
import { addDays, iso } from "../ledger/dates";
import { DomainError } from "../ledger/errors";
import { emptyPlan, event, requireMember, touched, type OpContext } from "../ledger/plan";
import type { ActivityRecord, MemberState, Plan } from "../ledger/state";

export interface ActivityInput {
  /** Made by the caller, so a rebuilt plan keeps the same activity. */
  activityId: string;
  type: string;
  reference: string;
  occurredAt: string;
  attributes: Record<string, unknown>;
  /** Awaiting moderation: it earns when confirmed. */
  pending: boolean;
}

/** An activity as the API answers it, with what it earned. */
export interface ActivityResult {
  id: string;
  memberId: string;
  type: string;
  reference: string;
  status: ActivityRecord["status"];
  occurredAt: string;
  attributes: Record<string, unknown>;
  points: number;
  breakdown: EarnLine[];
  capped: CappedRule[];
  lot: BonusGranted["lot"];
  tierChange: BonusGranted["tierChange"];
  createdAt: string;
  updatedAt: string;
}

export function activityView(record: ActivityRecord, earned: { capped?: CappedRule[]; lot?: BonusGranted["lot"]; tierChange?: BonusGranted["tierChange"] } = {}): ActivityResult {
  return {
    id: record.id,
    memberId: record.memberId,
    type: record.type,
    reference: record.reference,
    status: record.status,
    occurredAt: record.occurredAt,
    attributes: record.attributes,
    points: record.points,
    breakdown: record.breakdown as EarnLine[],
    capped: earned.capped ?? [],
    lot: earned.lot ?? null,
    tierChange: earned.tierChange ?? null,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** An activity as a list shows it: what it is and what it earned. */
export function activityListView(record: ActivityRecord) {
  const { capped: _capped, lot: _lot, tierChange: _tierChange, ...item } = activityView(record);
  return item;
}

/** The one "this activity already earned" refusal, with the original as it stands. */
export function activityAlreadyRecorded(original: ActivityRecord): DomainError {
  return new DomainError(
    "activity_already_recorded",
    `A '${original.type}' activity with reference '${original.reference}' is already recorded for this member.`,
    { activity: activityView(original) },
  );
}

/**
 * Posts an activity. Pending: recorded with no points (earn is not asked).
 * Otherwise it earns what `earn` (the evaluation of the activity's rules)
 * says, in the same batch as the activity row.
 */
export function recordActivity(state: MemberState, memberId: string, input: ActivityInput, earn: EarnResult | null, ctx: OpContext): Plan<ActivityResult> {
  const member = touched(requireMember(state, memberId), ctx, true);
  // The accrual's window, for the same reason: points dated long ago would land in settled periods and past limits.
  const earliest = addDays(ctx.now, -ctx.settings.maxBackdateDays);
  if (Date.parse(input.occurredAt) < earliest.getTime()) {
    throw new DomainError("occurred_before_window", `occurredAt lies more than ${ctx.settings.maxBackdateDays} days back, before this program's window.`, {
      errors: [{ path: "occurredAt", message: `before ${iso(earliest)}` }],
      earliestOccurredAt: iso(earliest),
    });
  }
  const at = iso(ctx.now);
  const record: ActivityRecord = {
    id: input.activityId,
    memberId,
    type: input.type,
    reference: input.reference,
    status: input.pending ? "pending" : "confirmed",
    occurredAt: input.occurredAt,
    attributes: input.attributes,
    points: 0,
    entryId: null,
    lotId: null,
    breakdown: [],
    createdAt: at,
    updatedAt: at,
  };
  const plan = emptyPlan(member, state, null as unknown as ActivityResult);
  const granted = !input.pending && earn ? earnFor(plan, record, earn, ctx) : null;
  plan.newActivity = record;
  if (record.status === "confirmed") plan.kpiCounts = [...(plan.kpiCounts ?? []), { name: `activity:${record.type}`, at: record.updatedAt }];
  plan.events.push(activityEvent(ctx, record));
  plan.result = activityView(record, { capped: earn?.capped, lot: granted?.lot, tierChange: granted?.tierChange });
  return plan;
}

/** A pending activity passed moderation: it earns now, by the rules in force when it occurred. */
export function confirmActivity(state: MemberState, activity: ActivityRecord, earn: EarnResult, ctx: OpContext): Plan<ActivityResult> {
  return settle(state, activity, "confirmed", earn, ctx);
}

/** A pending activity failed moderation: it never earns, and its type and reference stay taken. */
export function rejectActivity(state: MemberState, activity: ActivityRecord, ctx: OpContext): Plan<ActivityResult> {
  return settle(state, activity, "rejected", null, ctx);
}

/** Only a pending activity can be confirmed or rejected; the refusal shows it as it stands. */
export function requirePending(activity: ActivityRecord): void {
  if (activity.status !== "pending") {
    throw new DomainError("activity_not_pending", `Activity '${activity.id}' is ${activity.status}; only a pending one can be confirmed or rejected.`, {
      activity: activityView(activity),
    });
  }
}

function settle(state: MemberState, activity: ActivityRecord, status: "confirmed" | "rejected", earn: EarnResult | null, ctx: OpContext): Plan<ActivityResult> {
  requirePending(activity);
  const member = touched(requireMember(state, activity.memberId), ctx, false);
  const record: ActivityRecord = { ...activity, status, updatedAt: iso(ctx.now) };
  const plan = emptyPlan(member, state, null as unknown as ActivityResult);
  const granted = earn ? earnFor(plan, record, earn, ctx) : null;
  const { id, points, entryId, lotId, breakdown, updatedAt } = record;
  plan.activityUpdate = { id, fromStatus: "pending", status, points, entryId, lotId, breakdown, updatedAt };
  // An activity counts once it is accepted: posted without moderation, or confirmed.
  if (status === "confirmed") plan.kpiCounts = [...(plan.kpiCounts ?? []), { name: `activity:${record.type}`, at: updatedAt }];
  plan.events.push(activityEvent(ctx, record));
  plan.result = activityView(record, { capped: earn?.capped, lot: granted?.lot, tierChange: granted?.tierChange });
  return plan;
}

/** Adds what the activity earned to the plan and to its record. */
function earnFor(plan: Plan<unknown>, record: ActivityRecord, earn: EarnResult, ctx: OpContext): BonusGranted {
  const granted = addBonus(
    plan,
    {
      details: { source: "activity", activityId: record.id, activityType: record.type, reference: record.reference },
      earn,
      occurredAt: record.occurredAt,
      bonusId: record.id,
      activity: true,
    },
    ctx,
  );
  record.points = granted.points;
  record.entryId = granted.entryId;
  record.lotId = granted.lot?.id ?? null;
  record.breakdown = granted.points > 0 ? earn.breakdown : [];
  return granted;
}

function activityEvent(ctx: OpContext, record: ActivityRecord) {
  const { memberId, id: activityId, type, reference, status, points } = record;
  return event(ctx, "activity.recorded", null, { memberId, activityId, type, reference, status, points }, record.occurredAt);
}
