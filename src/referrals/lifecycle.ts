// A referral's life as pure decisions: pending -> qualified (referrer rewarded, pending) -> completed or cancelled; or rejected.
import { iso } from "../ledger/dates";
import type { ReferralSettings } from "../ledger/settings";
import { capReached, type FraudFlag } from "./fraud";
import type { QualifyingOrder, Referral } from "./store";

/** A new referral as enrollment records it: pending, or rejected with its flags. */
export function newReferral(
  id: string,
  referrerId: string,
  refereeId: string,
  code: string,
  flags: FraudFlag[],
  settings: ReferralSettings,
  now: Date,
): Referral {
  const at = iso(now);
  return {
    id,
    referrerId,
    refereeId,
    code,
    status: flags.length > 0 ? "rejected" : "pending",
    fraudFlags: flags,
    trigger: settings.grantOn.type,
    minOrderAmount: settings.grantOn.type === "first_order" ? settings.grantOn.minAmount : 0,
    referrerPoints: settings.referrerRewardId === null ? settings.referrerPoints : 0,
    refereePoints: settings.refereeRewardId === null ? settings.refereePoints : 0,
    orderIssuer: null,
    orderId: null,
    orderAmount: null,
    rewardAvailableAt: null,
    referrerLotId: null,
    refereeLotId: null,
    refereeRewardedAt: null,
    rewardedAt: null,
    createdAt: at,
    updatedAt: at,
    // A side with a catalog reward gets it instead of points (the settings refuse both).
    referrerRewardId: settings.referrerRewardId,
    refereeRewardId: settings.refereeRewardId,
    referrerClaimId: null,
    refereeClaimId: null,
    unfulfilled: [],
  };
}

export type Qualification =
  | { kind: "wait" }
  | { kind: "rejected"; referral: Referral }
  | { kind: "rewarded"; referral: Referral; availableAt: Date };

/**
 * The referrer's object decides whether a pending referral is rewarded: the
 * trigger must have happened (for first_order, a qualifying order), and the
 * referrer's cap must allow one more, counted in its own serialized calls.
 * Granted on enrollment it completes at once; on an order it is `qualified`
 * until the order's window ends.
 */
export function qualify(
  referral: Referral,
  order: QualifyingOrder | null,
  rewardedInPeriod: number,
  settings: ReferralSettings,
  lotId: string | null,
  now: Date,
): Qualification {
  if (referral.status !== "pending") return { kind: "wait" };
  if (referral.trigger === "first_order" && !order) return { kind: "wait" };
  const at = iso(now);
  if (capReached(rewardedInPeriod, settings)) {
    return { kind: "rejected", referral: { ...referral, status: "rejected", fraudFlags: [...referral.fraudFlags, "referrer_cap_reached"], updatedAt: at } };
  }
  const availableAt = order ? new Date(order.availableAt) : now;
  return {
    kind: "rewarded",
    availableAt,
    referral: {
      ...referral,
      status: order ? "qualified" : "completed",
      orderIssuer: order?.issuer ?? null,
      orderId: order?.orderId ?? null,
      orderAmount: order?.amount ?? null,
      rewardAvailableAt: iso(availableAt),
      referrerLotId: lotId,
      rewardedAt: at,
      updatedAt: at,
    },
  };
}

export type Settlement = { kind: "wait" } | { kind: "completed"; referral: Referral } | { kind: "cancelled"; referral: Referral };

/**
 * A qualified referral once the referee's order may have been refunded:
 * cancelled when the refunds made within the order's window leave it below
 * the qualifying amount (a full refund always does), completed once the
 * window is over without that.
 */
export function settle(referral: Referral, refundedInWindow: number, now: Date): Settlement {
  if (referral.status !== "qualified" || referral.orderAmount === null || referral.rewardAvailableAt === null) return { kind: "wait" };
  const at = iso(now);
  const kept = referral.orderAmount - refundedInWindow;
  if (kept < Math.max(referral.minOrderAmount, 1)) return { kind: "cancelled", referral: { ...referral, status: "cancelled", updatedAt: at } };
  if (Date.parse(referral.rewardAvailableAt) <= now.getTime()) return { kind: "completed", referral: { ...referral, status: "completed", updatedAt: at } };
  return { kind: "wait" };
}
