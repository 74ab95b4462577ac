// Referral rewards as ledger plans: a credit into a lot of its own, and the clawback when the qualifying order is refunded.
import { iso } from "../ledger/dates";
import type { EntryDetailsByType } from "../ledger/entries";
import { lotExpiresAt } from "../ledger/expiry";
import { emptyPlan, entry, event, requireMember, touched, type OpContext } from "../ledger/plan";
import type { MemberRecord, MemberState, OpenLot, OutboxEvent, Plan } from "../ledger/state";
import { qualifyingGain, upgradedTier } from "../ledger/tiers";
import type { Qualification, Settlement } from "./lifecycle";
import type { Referral } from "./store";

export type ReferralRole = "referrer" | "referee";

/**
 * What a referral grants one side: points, or a reward from the catalog
 * (src/rewards) given as a claim with its coupon, at no cost (see gifts.ts).
 * The settings name one or the other per side, and the referral keeps what
 * they said when it was recorded.
 */
export type ReferralReward = { kind: "points"; points: number } | { kind: "catalog_reward"; rewardId: string };

export function rewardOf(referral: Referral, role: ReferralRole): ReferralReward {
  const rewardId = role === "referrer" ? referral.referrerRewardId : referral.refereeRewardId;
  if (rewardId !== null) return { kind: "catalog_reward", rewardId };
  return { kind: "points", points: role === "referrer" ? referral.referrerPoints : referral.refereePoints };
}

/** One lot per referral and side: its id is the credit's idempotency key (a second insert fails the batch whole). */
export function referralLotId(referralId: string, role: ReferralRole): string {
  return `lot_${referralId}_${role}`;
}

export interface ReferralCreditInput {
  referralId: string;
  role: ReferralRole;
  reward: ReferralReward;
  /** The referrer's points stay pending until the referee's qualifying order is past its return window. */
  availableAt: Date;
}

export interface ReferralCreditResult {
  referralId: string;
  role: ReferralRole;
  points: number;
  lotId: string | null;
  debtPaid: number;
}

/**
 * Credits a referral's points into a new lot, as an `earn` entry with no
 * order (so coalition settlement counts them as the program's issue, and
 * debt is paid first). The points count as qualifying points like any earning.
 */
export function creditReferral(state: MemberState, memberId: string, input: ReferralCreditInput, ctx: OpContext): Plan<ReferralCreditResult> {
  const current = requireMember(state, memberId);
  // A catalog reward is a claim, not points: the side's plan credits none, and gifts.ts adds the claim.
  const points = input.reward.kind === "points" ? input.reward.points : 0;
  const { settings, now } = ctx;
  const debtPaid = Math.min(current.debt, points);
  const lotId = points > 0 ? referralLotId(input.referralId, input.role) : null;
  const qualifyingPoints = current.qualifyingPoints + qualifyingGain(settings, points, 0);
  const tier = upgradedTier(current.tier, qualifyingPoints, settings.tiers);
  const member: MemberRecord = {
    ...touched(current, ctx, false),
    debt: current.debt - debtPaid,
    qualifyingPoints,
    lifetimeEarned: current.lifetimeEarned + points,
    tier,
  };
  const result: ReferralCreditResult = { referralId: input.referralId, role: input.role, points, lotId, debtPaid };
  const plan = emptyPlan(member, state, result);
  let lot: OpenLot | null = null;
  if (lotId) {
    const expiresAt = lotExpiresAt(settings.expiry, now);
    lot = {
      id: lotId,
      partnerId: null,
      orderId: null,
      points,
      remaining: points - debtPaid,
      earnedAt: iso(now),
      availableAt: iso(new Date(Math.max(input.availableAt.getTime(), now.getTime()))),
      expiresAt: expiresAt ? iso(expiresAt) : null,
    };
    plan.newLots.push(lot);
    // An earning with no order: what the referral gave, and which referral gave it.
    const details: EntryDetailsByType["earn"] & { referral: { referralId: string; role: ReferralRole } } = {
      accrualId: input.referralId,
      amount: { amount: 0, currency: settings.currency },
      breakdown: [],
      debtPaid,
      referral: { referralId: input.referralId, role: input.role },
    };
    plan.entries.push(entry(ctx, { type: "earn", points, lotId, details }));
  }
  if (tier !== current.tier) {
    const change = { from: current.tier, to: tier };
    plan.entries.push(entry(ctx, { type: "tier", points: 0, details: { ...change, reason: "upgrade" } }));
    plan.events.push(event(ctx, "tier.changed", null, { memberId, ...change, reason: "upgrade" }));
  }
  plan.nextState = { ...state, member, lots: lot && lot.remaining > 0 ? [...state.lots, lot] : state.lots };
  return plan;
}

/** The referral's lot as the clawback needs it: its points, what is left, what expiry took. */
export interface ReferralLot {
  id: string;
  points: number;
  remaining: number;
  expired: number;
}

export interface ReferralClawbackResult {
  referralId: string;
  pointsClawedBack: number;
  fromLot: number;
  addedToDebt: number;
}

/**
 * Takes a cancelled referral's points back, as a refund takes an order's:
 * from the lot, then from what expiry took, and what was spent as debt.
 */
export function clawBackReferral(state: MemberState, memberId: string, referralId: string, lot: ReferralLot, ctx: OpContext): Plan<ReferralClawbackResult> {
  const current = requireMember(state, memberId);
  const fromLot = Math.min(lot.remaining, lot.points);
  const fromExpired = Math.min(lot.expired, lot.points - fromLot);
  const addedToDebt = lot.points - fromLot - fromExpired;
  const member: MemberRecord = {
    ...touched(current, ctx, false),
    debt: current.debt + addedToDebt,
    qualifyingPoints: Math.max(0, current.qualifyingPoints - qualifyingGain(ctx.settings, lot.points, 0)),
  };
  const plan = emptyPlan(member, state, { referralId, pointsClawedBack: lot.points, fromLot, addedToDebt });
  if (fromLot > 0 || fromExpired > 0) plan.lotDeltas.push({ lotId: lot.id, delta: -fromLot, expired: -fromExpired });
  plan.entries.push(
    entry(ctx, {
      type: "clawback",
      points: -(fromLot + addedToDebt),
      lotId: lot.id,
      details: { refundedAmount: { amount: 0, currency: ctx.settings.currency }, fromLot, fromExpired, addedToDebt, reason: `referral ${referralId} cancelled` },
    }),
  );
  plan.nextState = {
    ...state,
    member,
    lots: state.lots.map((l) => (l.id === lot.id ? { ...l, remaining: l.remaining - fromLot } : l)).filter((l) => l.remaining > 0),
  };
  return plan;
}

export function referralRejectedEvent(ctx: OpContext, memberId: string, r: Referral): OutboxEvent {
  return event(ctx, "referral.rejected", null, { memberId, referralId: r.id, referrerId: r.referrerId, refereeId: r.refereeId, fraudFlags: r.fraudFlags });
}

export function referralCompletedEvent(ctx: OpContext, memberId: string, r: Referral): OutboxEvent {
  return event(ctx, "referral.completed", null, {
    memberId,
    referralId: r.id,
    referrerId: r.referrerId,
    refereeId: r.refereeId,
    referrerPoints: r.referrerPoints,
    refereePoints: r.refereePoints,
    // The catalog rewards given instead of points (null: points); their claims are on the referral.
    referrerRewardId: r.referrerRewardId,
    refereeRewardId: r.refereeRewardId,
  });
}

/** A plan that changes no points, to carry a referral's row and event in the member's batch. */
function bookkeeping(state: MemberState, memberId: string, ctx: OpContext): Plan<null> {
  return emptyPlan(touched(requireMember(state, memberId), ctx, false), state, null);
}

/**
 * The referrer's plan for a decided qualification: rejected (no points, the
 * event), or the referrer's points credited (and, granted on enrollment, the
 * referral completed at once).
 */
export function qualificationPlan(state: MemberState, memberId: string, decision: Exclude<Qualification, { kind: "wait" }>, ctx: OpContext): Plan<unknown> {
  if (decision.kind === "rejected") {
    const plan = bookkeeping(state, memberId, ctx);
    plan.events.push(referralRejectedEvent(ctx, memberId, decision.referral));
    return plan;
  }
  const r = decision.referral;
  const plan = creditReferral(state, memberId, { referralId: r.id, role: "referrer", reward: { kind: "points", points: r.referrerPoints }, availableAt: decision.availableAt }, ctx);
  // Rewarded is converted: the referee did what the referral asked (enrolled, or placed the qualifying order).
  plan.kpiCounts = [...(plan.kpiCounts ?? []), { name: "referral_conversions", at: iso(ctx.now) }];
  if (r.status === "completed") plan.events.push(referralCompletedEvent(ctx, memberId, r));
  return plan;
}

/** The referrer's plan for a settled referral: completed (the event), or cancelled (the points clawed back from the referral's lot). */
export function settlementPlan(state: MemberState, memberId: string, decision: Exclude<Settlement, { kind: "wait" }>, lot: ReferralLot | null, ctx: OpContext): Plan<unknown> {
  if (decision.kind === "completed") {
    const plan = bookkeeping(state, memberId, ctx);
    plan.events.push(referralCompletedEvent(ctx, memberId, decision.referral));
    return plan;
  }
  return lot ? clawBackReferral(state, memberId, decision.referral.id, lot, ctx) : bookkeeping(state, memberId, ctx);
}
