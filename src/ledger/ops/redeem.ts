// Redemption and its life: redeem or hold, capture, cancel or reverse, lapse, and points returned to their lots.
import { DomainError } from "../errors";
import { allocate, isExpired, spendingOrder } from "../allocation";
import { balanceOf, pointsValue } from "../balance";
import { iso } from "../dates";
import { isIdle } from "../expiry";
import { applyLotDeltas, emptyPlan, entry, event, requireMember, touched, type OpContext } from "../plan";
import type { HeldAllocation, LotIssue, MemberState, OpenLot, Plan, Redemption, RedemptionWithAllocations } from "../state";

export interface RedeemInput {
  mode: "capture" | "hold";
  points: number;
  orderId?: string | null;
  channel: string;
  ttlSeconds?: number;
}

export interface RedemptionResult {
  redemption: Redemption;
}

export function redeem(state: MemberState, memberId: string, input: RedeemInput, ctx: OpContext): Plan<RedemptionResult> {
  const { settings, now } = ctx;
  const current = requireMember(state, memberId);
  if (input.points < settings.minRedemptionPoints) {
    throw new DomainError("below_minimum_redemption", `This program redeems at least ${settings.minRedemptionPoints} points.`, {
      minimum: settings.minRedemptionPoints,
      requested: input.points,
    });
  }
  const taken = allocate(state.lots, input.points, now);
  if (!taken) {
    const available = balanceOf(state, settings, now).available;
    throw new DomainError("insufficient_points", `The member has ${available} points available; ${input.points} were asked.`, {
      available,
      requested: input.points,
      shortfall: input.points - available,
    });
  }
  const at = iso(now);
  const isHold = input.mode === "hold";
  const redemption: Redemption = {
    id: ctx.newId("red"),
    memberId,
    partnerId: ctx.partnerId,
    status: isHold ? "held" : "captured",
    points: input.points,
    valueAmount: pointsValue(input.points, settings).amount,
    currency: settings.currency,
    orderId: input.orderId ?? null,
    channel: input.channel,
    holdExpiresAt: isHold ? iso(new Date(now.getTime() + (input.ttlSeconds ?? settings.holdTtlSeconds) * 1000)) : null,
    createdAt: at,
    updatedAt: at,
  };
  const member = touched(current, ctx, true);
  const plan = emptyPlan(member, state, { redemption });
  plan.newRedemption = redemption;
  plan.lotDeltas = taken.map((a) => ({ lotId: a.lotId, delta: -a.points }));
  plan.allocations = taken.map((a) => ({ redemptionId: redemption.id, ...a }));
  const refs = { redemptionId: redemption.id, orderId: redemption.orderId, partnerId: ctx.partnerId, channel: input.channel };
  plan.entries.push(
    entry(ctx, {
      type: isHold ? "hold" : "redeem",
      points: isHold ? 0 : -input.points,
      heldPoints: isHold ? input.points : 0,
      ...refs,
      details: { allocations: taken, value: { amount: redemption.valueAmount, currency: redemption.currency } },
    }),
  );
  const payload = { memberId, redemptionId: redemption.id, points: input.points, orderId: redemption.orderId };
  plan.events.push(event(ctx, isHold ? "redemption.held" : "points.redeemed", ctx.partnerId, payload));
  // A hold keeps how each lot it took from was issued, to give the points back; a capture needs none of it.
  const holds = isHold ? [...state.holds, { ...redemption, allocations: withIssues(state.lots, taken) }] : state.holds;
  plan.nextState = { ...state, member, lots: applyLotDeltas(state.lots, plan.lotDeltas), holds };
  return plan;
}

/** The allocations with the lots they took from as issued: one pass over the lots, whatever the count taken. */
function withIssues(lots: readonly OpenLot[], taken: readonly { lotId: string; points: number }[]): HeldAllocation[] {
  const wanted = new Set(taken.map((a) => a.lotId));
  const issued = new Map<string, LotIssue>();
  for (const lot of lots) {
    if (!wanted.has(lot.id)) continue;
    const { remaining: _remaining, ...issue } = lot;
    issued.set(lot.id, issue);
  }
  return taken.map((a) => ({ ...a, lot: issued.get(a.lotId)! }));
}

export function captureHold(state: MemberState, redemption: RedemptionWithAllocations, ctx: OpContext): Plan<RedemptionResult> {
  const current = requireMember(state, redemption.memberId);
  const hold = state.holds.find((h) => h.id === redemption.id);
  if (!hold) {
    throw new DomainError("redemption_not_capturable", `Redemption ${redemption.id} is ${redemption.status}; only a held redemption can be captured.`, {
      redemptionStatus: redemption.status,
    });
  }
  if (Date.parse(hold.holdExpiresAt!) <= ctx.now.getTime()) {
    throw new DomainError("hold_expired", `The hold ${hold.id} lapsed at ${hold.holdExpiresAt}.`, { redemptionStatus: "lapsed" });
  }
  const captured: Redemption = { ...stripAllocations(hold), status: "captured", holdExpiresAt: null, updatedAt: iso(ctx.now) };
  const member = touched(current, ctx, true);
  const plan = emptyPlan(member, state, { redemption: captured });
  plan.redemptionUpdates.push({ id: hold.id, fromStatus: "held", status: "captured" });
  plan.entries.push(
    entry(ctx, {
      type: "redeem",
      points: -hold.points,
      heldPoints: -hold.points,
      redemptionId: hold.id,
      orderId: hold.orderId,
      partnerId: hold.partnerId,
      channel: hold.channel,
      details: { capturedHold: true, value: { amount: hold.valueAmount, currency: hold.currency } },
    }),
  );
  const payload = { memberId: hold.memberId, redemptionId: hold.id, points: hold.points, orderId: hold.orderId };
  plan.events.push(event(ctx, "redemption.captured", hold.partnerId, payload));
  plan.events.push(event(ctx, "points.redeemed", hold.partnerId, payload));
  plan.nextState = { ...state, member, lots: state.lots, holds: state.holds.filter((h) => h.id !== hold.id) };
  return plan;
}

function stripAllocations(r: RedemptionWithAllocations): Redemption {
  const { allocations: _allocations, ...redemption } = r;
  return redemption;
}

/**
 * Gives a redemption's points back to the lots they came from. They pay off
 * the member's debt first (a refund claimed them back while they were out),
 * taken from the lots in spending order, so points that would expire pay
 * before points that would last. Points whose lot has expired meanwhile come
 * back as expired: a release entry followed by an expire entry, so the
 * history says what happened to each point.
 */
function returnPoints(plan: Plan<unknown>, redemption: RedemptionWithAllocations, ctx: OpContext, type: "release" | "reverse") {
  const wasHeld = type === "release";
  const expired: { allocation: HeldAllocation; points: number }[] = [];
  const payments: { allocation: HeldAllocation; points: number }[] = [];
  const deltas: Plan<unknown>["lotDeltas"] = [];
  // Under the inactivity policy a member idle too long has lost every point, these included.
  const idle = isIdle(plan.member, ctx.settings.expiry, ctx.now);
  let debt = plan.member.debt;
  for (const allocation of [...redemption.allocations].sort((a, b) => spendingOrder(a.lot, b.lot))) {
    const paid = Math.min(debt, allocation.points);
    debt -= paid;
    if (paid > 0) payments.push({ allocation, points: paid });
    const back = allocation.points - paid;
    if (back === 0) continue;
    if (idle || isExpired(allocation.lot, ctx.now)) {
      expired.push({ allocation, points: back });
      deltas.push({ lotId: allocation.lotId, delta: 0, expired: back });
    } else deltas.push({ lotId: allocation.lotId, delta: back });
  }
  plan.member = { ...plan.member, debt };
  plan.lotDeltas.push(...deltas);
  const refs = { redemptionId: redemption.id, orderId: redemption.orderId, partnerId: redemption.partnerId, channel: redemption.channel };
  plan.entries.push(
    entry(ctx, {
      type,
      points: wasHeld ? 0 : redemption.points,
      heldPoints: wasHeld ? -redemption.points : 0,
      ...refs,
      details: { allocations: redemption.allocations.map(({ lotId, points }) => ({ lotId, points })) },
    }),
  );
  // One entry per lot that paid, naming the partner that issued it: settlement counts debt paid per issuer.
  // Points move from the lot to the debt, so what the member owns does not change (points 0).
  for (const { allocation, points } of payments) {
    plan.entries.push(
      entry(ctx, {
        type: "debt_payment",
        points: 0,
        lotId: allocation.lotId,
        orderId: allocation.lot.orderId,
        partnerId: allocation.lot.partnerId,
        // The redemption is the redeemer's: named only when the issuer is the same caller.
        redemptionId: allocation.lot.partnerId === redemption.partnerId ? redemption.id : null,
        details: { debtPaid: points, reason: wasHeld ? "released_points" : "reversed_points" },
      }),
    );
  }
  // One expire entry per lot, naming the partner that issued it: breakage is settled per issuer.
  for (const { allocation, points } of expired) {
    plan.entries.push(
      entry(ctx, {
        type: "expire",
        points: -points,
        ...refs,
        lotId: allocation.lotId,
        partnerId: allocation.lot.partnerId,
        details: { reason: "returned_to_expired_lot", redeemer: redemption.partnerId },
      }),
    );
  }
  plan.nextState = {
    ...plan.nextState,
    member: plan.member,
    lots: applyLotDeltas(plan.nextState.lots, deltas, redemption.allocations.map((a) => a.lot)),
    holds: plan.nextState.holds.filter((h) => h.id !== redemption.id),
  };
}

export function cancelRedemption(
  state: MemberState,
  redemption: RedemptionWithAllocations,
  ctx: OpContext,
  reason: "cancelled" | "lapsed" = "cancelled",
): Plan<RedemptionResult> {
  const current = requireMember(state, redemption.memberId);
  const hold = state.holds.find((h) => h.id === redemption.id);
  const isHeld = hold !== undefined;
  if (!isHeld && redemption.status !== "captured") {
    throw new DomainError("redemption_not_cancellable", `Redemption ${redemption.id} is ${redemption.status}: nothing to cancel.`, {
      redemptionStatus: redemption.status,
    });
  }
  // A hold past its time lapses rather than being cancelled: its timer won.
  const lapsed = isHeld && (reason === "lapsed" || Date.parse(hold.holdExpiresAt!) <= ctx.now.getTime());
  const status: Redemption["status"] = isHeld ? (lapsed ? "lapsed" : "cancelled") : "reversed";
  const source = hold ?? redemption;
  const updated: Redemption = { ...stripAllocations(source), status, holdExpiresAt: null, updatedAt: iso(ctx.now) };
  const member = touched(current, ctx, false);
  const plan = emptyPlan(member, state, { redemption: updated });
  plan.redemptionUpdates.push({ id: source.id, fromStatus: source.status, status });
  returnPoints(plan, source, ctx, isHeld ? "release" : "reverse");
  const payload = { memberId: source.memberId, redemptionId: source.id, points: source.points, orderId: source.orderId };
  plan.events.push(
    event(ctx, lapsed ? "redemption.lapsed" : "redemption.cancelled", source.partnerId, {
      ...payload,
      previousStatus: source.status,
    }, lapsed ? hold.holdExpiresAt! : undefined),
  );
  return plan;
}

/** Lapses every hold whose time has run out. Returns null when none is due. */
export function lapseDueHolds(state: MemberState, ctx: OpContext): Plan<{ lapsed: string[] }> | null {
  const due = state.holds.filter((h) => Date.parse(h.holdExpiresAt!) <= ctx.now.getTime());
  if (due.length === 0 || !state.member) return null;
  const member = touched(state.member, ctx, false);
  const plan: Plan<{ lapsed: string[] }> = emptyPlan(member, state, { lapsed: due.map((h) => h.id) });
  for (const hold of due) {
    plan.redemptionUpdates.push({ id: hold.id, fromStatus: "held", status: "lapsed" });
    returnPoints(plan, hold, ctx, "release");
    plan.events.push(
      event(ctx, "redemption.lapsed", hold.partnerId, { memberId: hold.memberId, redemptionId: hold.id, points: hold.points }, hold.holdExpiresAt!),
    );
  }
  return plan;
}
