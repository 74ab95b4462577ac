// A claim as a plan: the redemption that pays for it (as any capture), and the claim with its coupon in the same batch.
import { DomainError } from "../ledger/errors";
import { cancelRedemption, redeem } from "../ledger/ops/redeem";
import { emptyPlan, requireMember, touched, type OpContext } from "../ledger/plan";
import { settlementPeriodFor } from "../ledger/periods";
import { balanceOf } from "../ledger/balance";
import type { MemberState, Plan, RedemptionWithAllocations } from "../ledger/state";
import { whyUnavailable, type Unavailable } from "./availability";
import type { ClaimRecord, CouponGives, RewardRecord } from "./types";

export interface ClaimInput {
  reward: RewardRecord;
  claimId: string;
  /** The stock reservation this claim confirms; null when the reward has neither stock nor pool. */
  reservationId: string | null;
  /** The pool's code the reservation took, else a freshly generated one (unused for a donation). */
  code: string;
  codeSource: "generated" | "pool";
  activePlans: readonly string[];
  /** This member's claims of the reward in the limit's current period. */
  claimsInPeriod: number;
}

export interface ClaimResult {
  claim: ClaimRecord;
}

const DAY_MS = 86_400_000;

/** A reason the member may not claim, as the ledger refuses it. */
function refusal(reasons: Unavailable[]): DomainError | null {
  // Points are the redemption's own refusal (insufficient_points, with its numbers).
  const blocking = reasons.filter((r) => r.reason !== "insufficient_points");
  const first = blocking[0];
  if (!first) return null;
  if (first.reason === "limit_reached") return new DomainError("reward_limit_reached", first.detail);
  return new DomainError("reward_not_available", first.detail, { reason: first.reason, reasons: blocking.map((r) => r.reason) });
}

export function giftOf(reward: RewardRecord): CouponGives {
  const d = reward.definition;
  return { type: d.type, value: d.value, percent: d.percent, maxDiscount: d.maxDiscount, sku: d.sku, attributes: d.attributes };
}

export function claimReward(state: MemberState, memberId: string, input: ClaimInput, ctx: OpContext): Plan<ClaimResult> {
  const member = requireMember(state, memberId);
  const { reward } = input;
  const d = reward.definition;
  const reasons = whyUnavailable(
    reward,
    {
      tier: member.tier,
      attributes: member.attributes,
      availablePoints: balanceOf(state, ctx.settings, ctx.now).available,
      activePlans: input.activePlans,
      claimsInPeriod: input.claimsInPeriod,
      stockLeft: null,
    },
    ctx.now,
  );
  const refused = refusal(reasons);
  if (refused) throw refused;
  // A reward's cost is the operator's price: the program's minimum for a plain redemption does not apply.
  const plan: Plan<unknown> = redeem(state, memberId, { mode: "capture", points: d.costPoints, channel: "online" }, { ...ctx, settings: { ...ctx.settings, minRedemptionPoints: 0 } });
  const redemption = plan.newRedemption!;
  const at = ctx.now.toISOString();
  const donation = d.type === "donation";
  const claim: ClaimRecord = {
    id: input.claimId,
    memberId,
    rewardId: reward.id,
    rewardType: d.type,
    redemptionId: redemption.id,
    reservationId: input.reservationId,
    points: d.costPoints,
    valueAmount: d.value?.amount ?? null,
    currency: ctx.settings.currency,
    causeId: d.causeId,
    code: donation ? null : input.code,
    codeSource: donation ? null : input.codeSource,
    gives: giftOf(reward),
    status: donation ? "donated" : "issued",
    expiresAt: donation ? null : new Date(ctx.now.getTime() + d.couponValidDays * DAY_MS).toISOString(),
    returnPointsOnExpiry: d.onExpiry === "return_points",
    orderId: null,
    usedAt: null,
    settlementPeriod: settlementPeriodFor(ctx.now, ctx.settings.settlementPeriod, ctx.closedThrough ?? null),
    createdAt: at,
    updatedAt: at,
    referralId: null,
  };
  plan.rewardClaims = { inserts: [claim], updates: [] };
  return { ...plan, result: { claim } };
}

/** The coupon must still be issued to be cancelled or expired: one used, cancelled or expired is refused. */
function requireIssued(claim: ClaimRecord): void {
  if (claim.status === "issued") return;
  if (claim.status === "used") throw new DomainError("coupon_already_used", "The coupon has been used.", { couponStatus: claim.status });
  throw new DomainError("coupon_not_cancellable", `The coupon is ${claim.status}: nothing to cancel.`, { couponStatus: claim.status });
}

/**
 * A redemption that paid for a claim is reversed only with its coupon: the
 * coupon must still be unused, and is cancelled in the same batch (a
 * donation is never reversed, it is the cause's).
 */
export function cancelWithRedemption(plan: Plan<unknown>, claim: ClaimRecord): void {
  if (claim.status === "donated") {
    throw new DomainError("redemption_not_cancellable", "The redemption paid for a donation; it is not reversed.", { redemptionStatus: "captured" });
  }
  requireIssued(claim);
  plan.rewardClaims = { inserts: [], updates: [{ id: claim.id, status: "cancelled" }] };
}

/**
 * Cancels an unused coupon: its redemption is reversed, the points go back to
 * the lots they came from. A coupon a referral gave (no redemption) is only
 * cancelled: it cost no points, so none come back.
 */
export function cancelCoupon(state: MemberState, claim: ClaimRecord, redemption: RedemptionWithAllocations | null, ctx: OpContext): Plan<ClaimResult> {
  requireIssued(claim);
  const cancelled: ClaimRecord = { ...claim, status: "cancelled", updatedAt: ctx.now.toISOString() };
  if (!redemption) {
    const member = touched(requireMember(state, claim.memberId), ctx, false);
    const plan = emptyPlan(member, state, { claim: cancelled });
    plan.rewardClaims = { inserts: [], updates: [{ id: claim.id, status: "cancelled" }] };
    plan.nextState = { ...state, member };
    return plan;
  }
  const plan: Plan<unknown> = cancelRedemption(state, redemption, ctx);
  cancelWithRedemption(plan, claim);
  return { ...plan, result: { claim: cancelled } };
}

/**
 * A catalog reward given by a referral: a claim with its coupon, as a claim
 * bought with points has, but for 0 points and with no redemption (the
 * member pays nothing, so its coupon's expiry returns nothing either). Its
 * id is the referral's and side's, so a second grant fails the batch whole.
 */
export function giftRecord(memberId: string, input: GiftInput, ctx: OpContext): ClaimRecord {
  const d = input.reward.definition;
  const at = ctx.now.toISOString();
  const donation = d.type === "donation";
  return {
    id: input.claimId,
    memberId,
    rewardId: input.reward.id,
    rewardType: d.type,
    redemptionId: null,
    reservationId: input.reservationId,
    points: 0,
    valueAmount: d.value?.amount ?? null,
    currency: ctx.settings.currency,
    causeId: d.causeId,
    code: donation ? null : input.code,
    codeSource: donation ? null : input.codeSource,
    gives: giftOf(input.reward),
    status: donation ? "donated" : "issued",
    expiresAt: donation ? null : new Date(ctx.now.getTime() + d.couponValidDays * DAY_MS).toISOString(),
    returnPointsOnExpiry: false,
    orderId: null,
    usedAt: null,
    settlementPeriod: settlementPeriodFor(ctx.now, ctx.settings.settlementPeriod, ctx.closedThrough ?? null),
    createdAt: at,
    updatedAt: at,
    referralId: input.referralId,
  };
}

export interface GiftInput {
  reward: RewardRecord;
  claimId: string;
  referralId: string;
  reservationId: string | null;
  code: string;
  codeSource: "generated" | "pool";
}

/** Why a reward cannot be given now (it is no longer offered); stock is the reward's object's to say. */
export function giftUnavailable(reward: RewardRecord, now: Date): "archived" | "ended" | null {
  if (reward.status === "archived") return "archived";
  if (reward.definition.validUntil !== null && now.toISOString() >= reward.definition.validUntil) return "ended";
  return null;
}

/**
 * Expires a coupon past its validity: its points come back when the reward
 * said so, else they stay spent. Null when it is not (or no longer) due, so
 * a second run changes nothing.
 */
export function expireCoupon(state: MemberState, claim: ClaimRecord, redemption: RedemptionWithAllocations | null, ctx: OpContext): Plan<ClaimResult> | null {
  if (claim.status !== "issued" || claim.expiresAt === null || Date.parse(claim.expiresAt) > ctx.now.getTime()) return null;
  const expired: ClaimRecord = { ...claim, status: "expired", updatedAt: ctx.now.toISOString() };
  const updates = [{ id: claim.id, status: "expired" as const }];
  if (claim.returnPointsOnExpiry && redemption) {
    const plan: Plan<unknown> = cancelRedemption(state, redemption, ctx);
    plan.rewardClaims = { inserts: [], updates };
    return { ...plan, result: { claim: expired } };
  }
  const member = touched(requireMember(state, claim.memberId), ctx, false);
  const plan = emptyPlan(member, state, { claim: expired });
  plan.rewardClaims = { inserts: [], updates };
  plan.nextState = { ...state, member };
  return plan;
}
