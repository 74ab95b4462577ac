// What the checkout applies now, from the member's tier and memberships together.
import { mulDiv } from "../ledger/money";
import type { ProgramSettings } from "../ledger/settings";
import { tierByName } from "../ledger/tiers";
import type { MemberPlans } from "../campaigns/evaluate";
import { inForce, type Membership, type MembershipPlan } from "./memberships";

export interface HeldMembership {
  membership: Membership;
  plan: MembershipPlan;
}

/**
 * The earning multiplier memberships add, in percent: the largest of the
 * memberships in force (plans do not stack with each other), 100 for none.
 * Accrual applies it on top of the tier's: points = earned with the tier x
 * this / 100, rounded by the program's rounding once on the total.
 */
export function membershipEarningPercent(held: readonly HeldMembership[], now: Date): number {
  return held.filter((h) => inForce(h.membership, now)).reduce((best, h) => Math.max(best, h.plan.benefits.earningMultiplierPercent), 100);
}

/**
 * The plans held in force at `at` (started by then, paid past it) and the
 * most early-access days they give: what campaign plan conditions and early
 * access read for a trigger at that instant.
 */
export function plansInForce(held: readonly HeldMembership[], at: Date): MemberPlans {
  const active = held.filter((h) => inForce(h.membership, at) && Date.parse(h.membership.startedAt) <= at.getTime());
  return { planIds: active.map((h) => h.plan.id), earlyAccessDays: active.reduce((most, h) => Math.max(most, h.plan.benefits.earlyAccessDays), 0) };
}

export interface Benefits {
  tier: { name: string; multiplierPercent: number } | null;
  memberships: { membershipId: string; planId: string; planName: string; paidUntil: string }[];
  /** Tier and membership multipliers together: tier x membership / 100, floored. */
  earningMultiplierPercent: number;
  tierMultiplierPercent: number;
  membershipMultiplierPercent: number;
  freeShipping: boolean;
  /** The most any membership in force gives. */
  earlyAccessDays: number;
  /** Plans whose exclusive rewards the member may claim. */
  exclusiveRewardPlanIds: string[];
}

export function benefitsOf(tierName: string | null, held: readonly HeldMembership[], settings: ProgramSettings, now: Date): Benefits {
  const tier = tierByName(tierName, settings.tiers);
  const active = held.filter((h) => inForce(h.membership, now));
  const tierMultiplierPercent = tier?.multiplierPercent ?? 100;
  const membershipMultiplierPercent = membershipEarningPercent(active, now);
  return {
    tier: tier ? { name: tier.name, multiplierPercent: tier.multiplierPercent } : null,
    memberships: active.map((h) => ({ membershipId: h.membership.id, planId: h.plan.id, planName: h.plan.name, paidUntil: h.membership.paidUntil })),
    earningMultiplierPercent: mulDiv(tierMultiplierPercent, membershipMultiplierPercent, 100, "floor"),
    tierMultiplierPercent,
    membershipMultiplierPercent,
    freeShipping: active.some((h) => h.plan.benefits.freeShipping),
    earlyAccessDays: active.reduce((most, h) => Math.max(most, h.plan.benefits.earlyAccessDays), 0),
    exclusiveRewardPlanIds: active.filter((h) => h.plan.benefits.exclusiveRewards).map((h) => h.plan.id),
  };
}
