// Manual adjustments by customer service: a credit is a new lot (paying debt first), a debit takes points soonest-expiring first.
import { DomainError } from "../errors";
import { allocate, type Allocation } from "../allocation";
import { balanceOf } from "../balance";
import { iso } from "../dates";
import { lotExpiresAt } from "../expiry";
import { applyLotDeltas, emptyPlan, entry, event, requireMember, touched, type OpContext } from "../plan";
import type { MemberRecord, MemberState, OpenLot, Plan } from "../state";

export interface AdjustmentInput {
  /** Positive: a credit; negative: a debit. Never 0. */
  points: number;
  reason: string;
  /** A credit's expiry; absent: the program's expiry policy; null: never. Not for debits. */
  expiresAt?: string | null;
  /** The admin key that made the adjustment, kept on the entry. */
  keyId: string;
}

export interface AdjustmentResult {
  adjustmentId: string;
  memberId: string;
  points: number;
  reason: string;
  debtPaid: number;
  lot: { id: string; availableAt: string; expiresAt: string | null } | null;
  allocations: Allocation[];
  createdAt: string;
}

/**
 * A debit never goes below the available points: debt in this ledger is what
 * a refund claws back of points already spent, a fact the member caused; an
 * agent's correction that made debt would silently withhold the member's next
 * earnings. The refusal names the available points, so the agent can debit
 * what is there.
 */
export function adjust(state: MemberState, memberId: string, input: AdjustmentInput, ctx: OpContext): Plan<AdjustmentResult> {
  const { settings, now } = ctx;
  const current = requireMember(state, memberId);
  const at = iso(now);
  const member: MemberRecord = touched(current, ctx, false);
  const result: AdjustmentResult = {
    adjustmentId: "",
    memberId,
    points: input.points,
    reason: input.reason,
    debtPaid: 0,
    lot: null,
    allocations: [],
    createdAt: at,
  };
  const plan = emptyPlan(member, state, result);
  if (input.points > 0) {
    const expiresAt = creditExpiry(input.expiresAt, ctx);
    const debtPaid = Math.min(current.debt, input.points);
    const lot: OpenLot = {
      id: ctx.newId("lot"),
      partnerId: null,
      orderId: null,
      points: input.points,
      remaining: input.points - debtPaid,
      earnedAt: at,
      availableAt: at,
      expiresAt,
    };
    member.debt = current.debt - debtPaid;
    member.lifetimeEarned = current.lifetimeEarned + input.points;
    plan.newLots.push(lot);
    result.debtPaid = debtPaid;
    result.lot = { id: lot.id, availableAt: lot.availableAt, expiresAt: lot.expiresAt };
    plan.entries.push(
      entry(ctx, { type: "adjust", points: input.points, lotId: lot.id, details: { source: "manual", reason: input.reason, keyId: input.keyId, debtPaid, allocations: [] } }),
    );
    plan.nextState = { ...state, member, lots: lot.remaining > 0 ? [...state.lots, lot] : state.lots };
  } else {
    if (input.expiresAt !== undefined) {
      throw new DomainError("validation_failed", "expiresAt applies to a credit only.", { errors: [{ path: "expiresAt", message: "only for a positive points" }] });
    }
    const points = -input.points;
    const taken = allocate(state.lots, points, now);
    if (!taken) {
      const available = balanceOf(state, settings, now).available;
      throw new DomainError("insufficient_points", `The member has ${available} points available; a debit of ${points} was asked.`, {
        available,
        requested: points,
        shortfall: points - available,
      });
    }
    plan.lotDeltas = taken.map((a) => ({ lotId: a.lotId, delta: -a.points }));
    result.allocations = taken;
    plan.entries.push(
      entry(ctx, { type: "adjust", points: input.points, details: { source: "manual", reason: input.reason, keyId: input.keyId, debtPaid: 0, allocations: taken } }),
    );
    plan.nextState = { ...state, member, lots: applyLotDeltas(state.lots, plan.lotDeltas) };
  }
  const adjustment = plan.entries[0]!;
  result.adjustmentId = adjustment.id;
  plan.events.push(
    event(ctx, "points.adjusted", null, {
      memberId,
      adjustmentId: adjustment.id,
      points: input.points,
      reason: input.reason,
      lotId: result.lot?.id ?? null,
      debtPaid: result.debtPaid,
    }),
  );
  return plan;
}

function creditExpiry(given: string | null | undefined, ctx: OpContext): string | null {
  if (given === null) return null;
  if (given === undefined) {
    const byPolicy = lotExpiresAt(ctx.settings.expiry, ctx.now);
    return byPolicy ? iso(byPolicy) : null;
  }
  if (Date.parse(given) <= ctx.now.getTime()) {
    throw new DomainError("validation_failed", "expiresAt must lie in the future.", { errors: [{ path: "expiresAt", message: "not after now" }] });
  }
  return iso(new Date(given));
}
