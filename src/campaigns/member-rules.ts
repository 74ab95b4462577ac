// What a member's object reads for the campaign rules in force (the grants their limits count), and the preview's answer.
import type { AccrualCampaigns, AccrualResult } from "../ledger/ops/accrue";
import type { Plan } from "../ledger/state";
import { grantHorizon } from "./limits";
import type { ActiveRule } from "./rules";

/**
 * The grants a member's object needs for the rules in force: only rules with
 * limits or a cooldown, each from the earliest instant the evaluator can count
 * for a trigger at `occurredAt` (grantHorizon; null: the whole campaign). Later
 * grants are read too: a late-posted order shares its period with grants
 * posted before it.
 */
export function grantsSince(rules: readonly ActiveRule[], occurredAt: Date, timeZone: string): { campaignId: string; ruleId: string; since: string | null }[] {
  const wanted = new Map<string, { campaignId: string; ruleId: string; since: string | null }>();
  for (const active of rules) {
    const horizon = grantHorizon([active], occurredAt, timeZone);
    if (!horizon) continue;
    const since = horizon.from === null ? null : horizon.from.toISOString();
    const key = `${active.campaignId}/${active.rule.id}`;
    const seen = wanted.get(key);
    // The same rule in two versions in force (one closing as the other opens): the wider need wins.
    if (!seen) wanted.set(key, { campaignId: active.campaignId, ruleId: active.rule.id, since });
    else if (seen.since !== null && (since === null || since < seen.since)) seen.since = since;
  }
  return [...wanted.values()];
}

/** What a budgeted campaign may still issue before the order, and what the order would draw from it. */
export interface BudgetState {
  campaignId: string;
  left: number;
  drawn: number;
}

/** The earn preview's answer: the accrual's figures, and nothing posted. */
export interface EarningPreview {
  points: number;
  breakdown: AccrualResult["breakdown"];
  capped: AccrualResult["capped"];
  tierChange: AccrualResult["tierChange"];
  budgets: BudgetState[];
  /** false: no member of that id yet (an accrual would enroll them where the program allows). */
  memberKnown: boolean;
}

/** The preview of an accrual plan that is not committed. */
export function previewOf(plan: Plan<AccrualResult>, campaigns: AccrualCampaigns, memberKnown: boolean): EarningPreview {
  const { points, breakdown, capped, tierChange } = plan.result;
  return { points, breakdown, capped, tierChange, budgets: budgetStates(plan, campaigns), memberKnown };
}

export function budgetStates(plan: Pick<Plan<unknown>, "budgetDraws">, campaigns: Pick<AccrualCampaigns, "budgetLeft">): BudgetState[] {
  return [...campaigns.budgetLeft].map(([campaignId, left]) => ({
    campaignId,
    left,
    drawn: (plan.budgetDraws ?? []).filter((d) => d.campaignId === campaignId).reduce((sum, d) => sum + d.points, 0),
  }));
}
