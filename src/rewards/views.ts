// Claims and coupons as the API shows them.
import type { ClaimRecord } from "./types";

export function claimView(claim: ClaimRecord) {
  return {
    id: claim.id,
    memberId: claim.memberId,
    rewardId: claim.rewardId,
    rewardType: claim.rewardType,
    status: claim.status,
    points: claim.points,
    redemptionId: claim.redemptionId,
    referralId: claim.referralId,
    value: claim.valueAmount === null ? null : { amount: claim.valueAmount, currency: claim.currency },
    causeId: claim.causeId,
    coupon: claim.code === null ? null : { code: claim.code, source: claim.codeSource!, expiresAt: claim.expiresAt! },
    createdAt: claim.createdAt,
  };
}

/** What the checkout learns of a coupon: whether it can be used now, and what it gives. */
export function couponView(claim: ClaimRecord, now: Date) {
  const expired = claim.status === "expired" || (claim.status === "issued" && claim.expiresAt !== null && Date.parse(claim.expiresAt) <= now.getTime());
  const status = expired ? "expired" : claim.status;
  return {
    code: claim.code!,
    valid: status === "issued",
    status: status as "issued" | "used" | "cancelled" | "expired",
    type: claim.gives.type,
    value: claim.gives.value,
    percent: claim.gives.percent,
    maxDiscount: claim.gives.maxDiscount,
    sku: claim.gives.sku,
    attributes: claim.gives.attributes,
    currency: claim.currency,
    expiresAt: claim.expiresAt!,
    rewardId: claim.rewardId,
    memberId: claim.memberId,
    claimId: claim.id,
    orderId: claim.orderId,
    usedAt: claim.usedAt,
  };
}

export type ClaimView = ReturnType<typeof claimView>;
export type CouponView = ReturnType<typeof couponView>;
