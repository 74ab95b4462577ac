// What a reward is, what a claim of it records, and the coupon it issues: plain data.
export const REWARD_TYPES = ["fixed_discount", "percent_discount", "free_shipping", "free_product", "donation", "custom"] as const;
export type RewardType = (typeof REWARD_TYPES)[number];

export const LIMIT_PERIODS = ["lifetime", "day", "week", "month", "year"] as const;
export type LimitPeriod = (typeof LIMIT_PERIODS)[number];

/** Attribute values a shop can match or fulfil on: strings, numbers, booleans. */
export type AttributeValue = string | number | boolean;

/** A window in which a plan's (or a tier's) members may claim before everyone else. */
export interface EarlyAccess {
  planId?: string;
  tier?: string;
  opensAt: string;
}

/** Everything the operator says about a reward; validated by checkDefinition. */
export interface RewardDefinition {
  name: string;
  description: string | null;
  type: RewardType;
  costPoints: number;
  /** fixed_discount and donation: the money it stands for (minor units, the program's currency). */
  value: { amount: number; currency: string } | null;
  /** percent_discount: 1..100, with an optional cap. */
  percent: number | null;
  maxDiscount: { amount: number; currency: string } | null;
  /** free_product: the shop's SKU. */
  sku: string | null;
  /** donation: the cause it gives to. */
  causeId: string | null;
  /** custom (and any other type): what the shop needs to fulfil it. */
  attributes: Record<string, AttributeValue>;
  /** Units all members together may claim; null for no limit. */
  stock: number | null;
  /** Where coupon codes come from: generated here, or a pool of the shop's own codes uploaded beforehand. */
  codeSource: "generated" | "pool";
  /** Only members of these tiers may claim; empty for all. */
  tiers: string[];
  /** Only members whose attributes equal these may claim; empty for all. */
  memberAttributes: Record<string, AttributeValue>;
  /** Claims per member: `count` per calendar period (UTC) or over the member's lifetime; null for no limit. */
  limit: { count: number; per: LimitPeriod } | null;
  validFrom: string | null;
  validUntil: string | null;
  /** How long an issued coupon stays valid. */
  couponValidDays: number;
  /** What happens to the points of a coupon that expires unused. */
  onExpiry: "return_points" | "keep_points";
  /** Only members with one of these paid plans may claim; empty for all. Plan ids are opaque here. */
  planIds: string[];
  earlyAccess: EarlyAccess[];
  /** Offered only to members of one of these segments (src/segments); absent for all. */
  segmentIds?: string[];
}

export interface RewardRecord {
  id: string;
  status: "active" | "archived";
  definition: RewardDefinition;
  createdAt: string;
  updatedAt: string;
}

export type ClaimStatus = "issued" | "used" | "cancelled" | "expired" | "donated";

/** What a coupon gives at the checkout, frozen at the claim. */
export interface CouponGives {
  type: RewardType;
  value: { amount: number; currency: string } | null;
  percent: number | null;
  maxDiscount: { amount: number; currency: string } | null;
  sku: string | null;
  attributes: Record<string, AttributeValue>;
}

/** One claim as D1 holds it (reward_claims). */
export interface ClaimRecord {
  id: string;
  memberId: string;
  rewardId: string;
  rewardType: RewardType;
  /** The redemption that paid for it; null for a claim a referral gave at no cost. */
  redemptionId: string | null;
  reservationId: string | null;
  points: number;
  valueAmount: number | null;
  currency: string;
  causeId: string | null;
  code: string | null;
  codeSource: "generated" | "pool" | null;
  gives: CouponGives;
  status: ClaimStatus;
  expiresAt: string | null;
  returnPointsOnExpiry: boolean;
  orderId: string | null;
  usedAt: string | null;
  settlementPeriod: string;
  createdAt: string;
  updatedAt: string;
  /** The referral that gave it, when it was a referral's reward rather than bought with points. */
  referralId: string | null;
}

/** A stock reservation as the reward's object hands it out. */
export interface Reservation {
  reservationId: string;
  /** A code from the reward's pool; null when codes are generated. */
  code: string | null;
}
