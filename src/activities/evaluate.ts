// What an activity earns: the evaluator with the activity trigger, the member's tier and attributes, at its occurredAt.
import { evaluateEarning, type EarnResult, type MemberPlans, type RuleGrant } from "../campaigns/evaluate";
import type { ActiveRule } from "../campaigns/rules";
import type { ProgramSettings } from "../ledger/settings";
import type { MemberRecord } from "../ledger/state";

export function evaluateActivity(
  activity: { type: string; occurredAt: string },
  member: Pick<MemberRecord, "tier" | "attributes">,
  campaigns: { rules: readonly ActiveRule[]; grants: readonly RuleGrant[]; budgetLeft: ReadonlyMap<string, number>; plans?: MemberPlans },
  settings: ProgramSettings,
): EarnResult {
  return evaluateEarning({
    trigger: { type: "activity", activityType: activity.type },
    occurredAt: new Date(activity.occurredAt),
    member: { tier: member.tier, attributes: member.attributes, plans: campaigns.plans },
    settings,
    rules: campaigns.rules,
    grants: campaigns.grants,
    budgetLeft: campaigns.budgetLeft,
  });
}
