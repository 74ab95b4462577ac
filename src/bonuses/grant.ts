// Points without an order (an activity, the sign-up, a birthday), added to a plan as the accrual adds an
// order's: a lot of the program's own, an earn entry of amount 0 that says why, debt paid first, the tier.
import type { EarnResult } from "../campaigns/evaluate";
import { iso } from "../ledger/dates";
import type { BonusDetails } from "../ledger/entries";
import { lotExpiresAt } from "../ledger/expiry";
import { grantRecords } from "../ledger/ops/accrue";
import { entry, event, type OpContext } from "../ledger/plan";
import type { OpenLot, Plan } from "../ledger/state";
import { qualifyingGain, upgradedTier } from "../ledger/tiers";

export interface Bonus {
  details: BonusDetails;
  earn: EarnResult;
  /** When what earned it happened (the activity, the enrollment, the birthday's run). */
  occurredAt: string;
  /** Names the earning in the entry (as an accrual id does an order's). */
  bonusId: string;
  /** Whether it counts as the member's own activity (it does for an activity; not for a birthday). */
  activity: boolean;
}

export interface BonusGranted {
  points: number;
  debtPaid: number;
  entryId: string | null;
  lot: { id: string; availableAt: string; expiresAt: string | null } | null;
  tierChange: { from: string | null; to: string | null } | null;
}

/**
 * Adds the bonus's points to `plan` (whose member is already the one this
 * batch writes): no pending period, since nothing can be returned; the
 * program's own lot; debt paid first; the tier upgraded if the points reach
 * one. Nothing is added for no points. The rule grants and budget draws join
 * the plan's own, one draw per campaign.
 */
export function addBonus(plan: Plan<unknown>, bonus: Bonus, ctx: OpContext): BonusGranted {
  const { earn } = bonus;
  if (earn.points <= 0) return { points: 0, debtPaid: 0, entryId: null, lot: null, tierChange: null };
  const { settings } = ctx;
  const current = plan.member;
  const earnedAt = new Date(bonus.occurredAt);
  const debtPaid = Math.min(current.debt, earn.points);
  const expiresAt = lotExpiresAt(settings.expiry, earnedAt);
  const lot: OpenLot = {
    id: ctx.newId("lot"),
    partnerId: null,
    orderId: null,
    points: earn.points,
    remaining: earn.points - debtPaid,
    earnedAt: iso(earnedAt),
    availableAt: iso(earnedAt),
    expiresAt: expiresAt ? iso(expiresAt) : null,
  };
  const qualifyingPoints = current.qualifyingPoints + qualifyingGain(settings, earn.points, 0);
  const tier = upgradedTier(current.tier, qualifyingPoints, settings.tiers);
  plan.member = {
    ...current,
    lastActivityAt: bonus.activity ? iso(ctx.now) : current.lastActivityAt,
    debt: current.debt - debtPaid,
    qualifyingPoints,
    lifetimeEarned: current.lifetimeEarned + earn.points,
    tier,
  };
  plan.newLots.push(lot);
  const earnEntry = entry(ctx, {
    type: "earn",
    points: earn.points,
    lotId: lot.id,
    occurredAt: iso(earnedAt),
    details: {
      accrualId: bonus.bonusId,
      amount: { amount: 0, currency: settings.currency },
      breakdown: earn.breakdown,
      debtPaid,
      ...(earn.capped.length > 0 ? { capped: earn.capped } : {}),
      bonus: bonus.details,
    },
  });
  plan.entries.push(earnEntry);
  plan.ruleGrants = [...(plan.ruleGrants ?? []), ...grantRecords(earn, earnEntry.id, null)];
  plan.budgetDraws = mergeDraws(plan.budgetDraws ?? [], earn.budgetDraws);
  const tierChange = tier !== current.tier ? { from: current.tier, to: tier } : null;
  if (tierChange) {
    plan.entries.push(entry(ctx, { type: "tier", points: 0, details: { ...tierChange, reason: "upgrade" } }));
    plan.events.push(event(ctx, "tier.changed", null, { memberId: current.memberId, ...tierChange, reason: "upgrade" }));
  }
  const lots = lot.remaining > 0 ? [...plan.nextState.lots, lot] : plan.nextState.lots;
  plan.nextState = { ...plan.nextState, member: plan.member, lots };
  return { points: earn.points, debtPaid, entryId: earnEntry.id, lot: { id: lot.id, availableAt: lot.availableAt, expiresAt: lot.expiresAt }, tierChange };
}

/** Draws per campaign, summed: one reservation and one budget_draws row per campaign and batch. */
export function mergeDraws(a: readonly { campaignId: string; points: number }[], b: readonly { campaignId: string; points: number }[]) {
  const byCampaign = new Map<string, number>();
  for (const draw of [...a, ...b]) byCampaign.set(draw.campaignId, (byCampaign.get(draw.campaignId) ?? 0) + draw.points);
  return [...byCampaign].map(([campaignId, points]) => ({ campaignId, points }));
}

/** What remains of each named budget once `draws` are taken from it, for a second evaluation in the same batch. */
export function budgetAfter(budgetLeft: ReadonlyMap<string, number>, draws: readonly { campaignId: string; points: number }[]): Map<string, number> {
  const left = new Map(budgetLeft);
  for (const { campaignId, points } of draws) {
    const before = left.get(campaignId);
    if (before !== undefined) left.set(campaignId, Math.max(0, before - points));
  }
  return left;
}
