// Refund: takes back what an order earned, from its lot, from what it lost to expiry, then as debt.
import { DomainError } from "../errors";
import { mulDiv } from "../money";
import { applyLotDeltas, emptyPlan, entry, event, requireMember, touched, type OpContext } from "../plan";
import type { MemberRecord, MemberState, OrderEarning, OrderRecord, Plan } from "../state";
import { refundClawback } from "../../campaigns/refunds";
import { qualifyingGain } from "../tiers";

export interface RefundInput {
  orderId: string;
  amount: { amount: number; currency: string };
  reason?: string | null;
  /** The refunded line items: campaign points these items earned go back with them. */
  items?: { sku: string; quantity: number }[];
}

export interface RefundResult {
  refundId: string;
  orderId: string;
  refundedAmount: { amount: number; currency: string };
  pointsClawedBack: number;
  fromLot: number;
  /** Taken back from what the order's lot lost to expiry: never spent, so no debt. */
  fromExpired: number;
  addedToDebt: number;
}

/** The order's lot as a refund needs it: what it still holds and what it lost to expiry. */
export interface OrderLot {
  id: string;
  remaining: number;
  expired: number;
}

/**
 * Takes back what an order earned, in proportion to the refunded amount
 * (cumulative, so several partial refunds add up to exactly the points of a
 * full one). Unspent points come out of the order's lot, then out of what
 * the lot lost to expiry (whether or not the expiry job has come by, the
 * answer is the same); only what the member really spent becomes debt.
 */
export function refund(
  state: MemberState,
  memberId: string,
  order: OrderRecord,
  orderLot: OrderLot | null,
  input: RefundInput,
  ctx: OpContext,
  earning: OrderEarning | null = null,
): Plan<RefundResult> {
  const current = requireMember(state, memberId);
  if (input.amount.currency !== order.currency) {
    throw new DomainError("currency_mismatch", `Order ${order.orderId} was paid in ${order.currency}.`);
  }
  const refundable = order.amount - order.refundedAmount;
  if (input.amount.amount > refundable) {
    throw new DomainError("refund_exceeds_order", `Only ${refundable} of order ${order.orderId} is left to refund.`, {
      refundable: { amount: refundable, currency: order.currency },
    });
  }
  const refundedAmount = order.refundedAmount + input.amount.amount;
  // An order campaign rules gave points: item-level rule points go back with their items, the rest in proportion.
  const refundedItems = earning ? addItems(earning.refundedItems, input.items ?? []) : [];
  const campaignClaw = earning
    ? refundClawback({
        breakdown: earning.breakdown,
        orderAmount: order.amount,
        refunded: { amount: refundedAmount, items: refundedItems },
        clawedBefore: order.clawedBackPoints,
        returnedBefore: earning.returned,
      })
    : null;
  const clawedTotal = campaignClaw
    ? Math.min(order.earnedPoints, campaignClaw.clawedTotal)
    : order.amount === 0
      ? order.earnedPoints
      : mulDiv(order.earnedPoints, refundedAmount, order.amount, "floor");
  const clawNow = clawedTotal - order.clawedBackPoints;
  const lot = orderLot && orderLot.id === order.lotId ? orderLot : null;
  const fromLot = lot ? Math.min(lot.remaining, clawNow) : 0;
  const fromExpired = lot ? Math.min(lot.expired, clawNow - fromLot) : 0;
  const addedToDebt = clawNow - fromLot - fromExpired;

  const member: MemberRecord = {
    ...touched(current, ctx, false),
    debt: current.debt + addedToDebt,
    qualifyingPoints: Math.max(0, current.qualifyingPoints - qualifyingGain(ctx.settings, clawNow, input.amount.amount)),
  };
  const refundId = ctx.newId("ent");
  const result: RefundResult = {
    refundId,
    orderId: order.orderId,
    refundedAmount: input.amount,
    pointsClawedBack: clawNow,
    fromLot,
    fromExpired,
    addedToDebt,
  };
  const plan = emptyPlan(member, state, result);
  plan.orderRefund = { issuer: order.issuer, orderId: order.orderId, refundedAmount, clawedBackPoints: clawedTotal };
  if (earning && campaignClaw) {
    plan.budgetReturns = campaignClaw.budgetReturns;
    plan.orderEarningUpdate = { ...earning, refundedItems, returned: addReturns(earning.returned, campaignClaw.budgetReturns) };
  }
  if (fromLot > 0 || fromExpired > 0) plan.lotDeltas.push({ lotId: lot!.id, delta: -fromLot, expired: -fromExpired });
  plan.entries.push({
    ...entry(ctx, {
      type: "clawback",
      // What the member owns changes by the lot's part and the debt: expired points were gone already.
      points: -(fromLot + addedToDebt),
      lotId: order.lotId,
      orderId: order.orderId,
      partnerId: order.issuer || null,
      details: { refundedAmount: input.amount, fromLot, fromExpired, addedToDebt, reason: input.reason ?? null, ...(input.items ? { items: input.items } : {}) },
    }),
    id: refundId,
  });
  plan.events.push(
    event(ctx, "points.refunded", order.issuer || null, {
      memberId,
      orderId: order.orderId,
      points: clawNow,
      fromExpired,
      addedToDebt,
      refundedAmount: input.amount,
    }),
  );
  plan.nextState = { ...state, member, lots: applyLotDeltas(state.lots, plan.lotDeltas), holds: state.holds };
  return plan;
}

function addItems(so: readonly { sku: string; quantity: number }[], more: readonly { sku: string; quantity: number }[]): { sku: string; quantity: number }[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of [...so, ...more]) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

function addReturns(so: readonly { campaignId: string; points: number }[], more: readonly { campaignId: string; points: number }[]) {
  const byCampaign = new Map<string, number>();
  for (const { campaignId, points } of [...so, ...more]) byCampaign.set(campaignId, (byCampaign.get(campaignId) ?? 0) + points);
  return [...byCampaign].map(([campaignId, points]) => ({ campaignId, points }));
}
