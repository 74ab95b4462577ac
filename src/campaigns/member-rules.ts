// What a member's object reads for the campaign rules in force (the grants their limits count), and the preview's answer.
import type { AccrualCampaigns, AccrualResult } from "../ledger/ops/accrue";
import type { Plan } from "../ledger/state";
import type { ActiveRule, RuleLimit } from "./rules";

const DAY_MS = 86_400_000;

/**
 * How far back a limit can count from an order: its calendar period at most
 * (in the program's time zone, so a day more for the offset), or its rolling
 * window. "campaign" counts the campaign's whole life.
 */
const LOOKBACK_DAYS: Record<Exclude<RuleLimit["period"], "campaign">, number> = { day: 2, week: 8, month: 32, year: 367 };

/**
 * The grants a member's object needs for the rules in force: only rules with
 * limits or a cooldown, each from the earliest instant one of them counts (null:
 * the whole campaign). Grants after the order are included: a late-posted order
 * shares its period with grants posted before it.
 */
export function grantsSince(rules: readonly ActiveRule[], occurredAt: Date): { campaignId: string; ruleId: string; since: string | null }[] {
  const wanted = new Map<string, { campaignId: string; ruleId: string; since: string | null }>();
  for (const { campaignId, rule } of rules) {
    if (rule.limits.length === 0 && rule.cooldownSeconds === undefined) continue;
    let back = rule.cooldownSeconds === undefined ? 0 : rule.cooldownSeconds * 1000;
    let whole = false;
    for (const limit of rule.limits) {
      if (limit.period === "campaign") whole = true;
      else back = Math.max(back, LOOKBACK_DAYS[limit.period] * DAY_MS);
    }
    const since = whole ? null : new Date(occurredAt.getTime() - back).toISOString();
    const key = `${campaignId}/${rule.id}`;
    const seen = wanted.get(key);
    // The same rule in two versions in force (one closing as the other opens): the wider need wins.
    if (!seen) wanted.set(key, { campaignId, ruleId: rule.id, since });
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
