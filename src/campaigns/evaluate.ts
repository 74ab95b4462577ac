// The earning evaluator: what an order, an activity, an enrollment or a birthday earns under the
// campaign rules in force, line by line. One pure function, called by the accrual, the preview, the
// activities and the jobs alike, so a preview and the accrual that follows always agree.
import { computeEarning } from "../ledger/earning";
import type { ProgramSettings } from "../ledger/settings";
import type { ActiveRule } from "./rules";

export interface EarnItem {
  sku: string;
  category?: string;
  quantity: number;
  /** Unit price, minor units. */
  price: number;
}

export type EarnTrigger =
  | {
      type: "order";
      /** The order's amount, minor units. */
      amount: number;
      currency: string;
      items: readonly EarnItem[];
      channel: "online" | "store" | "app";
      storeId: string | null;
      partnerId: string | null;
      /** No order of this member earned before. */
      firstOrder: boolean;
    }
  | { type: "activity"; activityType: string }
  | { type: "enrollment" }
  | { type: "birthday" };

export interface EarnMember {
  tier: string | null;
  attributes: Record<string, unknown>;
}

/** A past grant of a rule to this member: what per-member limits and cooldowns count. */
export interface RuleGrant {
  campaignId: string;
  ruleId: string;
  points: number;
  /** When the trigger occurred (ISO). */
  at: string;
}

export interface EarnInput {
  trigger: EarnTrigger;
  occurredAt: Date;
  member: EarnMember;
  settings: ProgramSettings;
  /** The campaign versions' rules in force at `occurredAt` (status active, window open). */
  rules: readonly ActiveRule[];
  /** The member's past grants of the rules with limits or cooldowns (the evaluator ignores the rest). */
  grants: readonly RuleGrant[];
  /** Points each budgeted campaign may still issue; a campaign not named is not limited here. */
  budgetLeft: ReadonlyMap<string, number>;
}

export type CapReason = "budget" | "member_limit" | "cooldown" | "multiplier_cap";

/** One line of the breakdown: the base, the tier multiplier, or a campaign rule. Lines add up to the total. */
export type EarnLine =
  | { rule: "base"; points: number }
  | { rule: "tier_multiplier"; points: number; tier: string; multiplierPercent: number }
  | {
      rule: "campaign";
      campaignId: string;
      version: number;
      ruleId: string;
      points: number;
      /** Why it applied, for a shopper's "why did I get 12 points". */
      reason: string;
      /** Line items the rule matched, with the points each earned by it (item-scoped effects), for refunds by item. */
      items?: { sku: string; points: number }[];
      multiplierPercent?: number;
      /** It gave less than it would have: a budget, a member limit or the multiplier cap stopped it. */
      capped?: CapReason;
    };

/** A rule that matched but gave nothing. */
export interface CappedRule {
  campaignId: string;
  version: number;
  ruleId: string;
  capped: CapReason;
  /** What it would have given. */
  points: number;
}

export interface EarnResult {
  points: number;
  breakdown: EarnLine[];
  capped: CappedRule[];
  /** Points drawn from each budgeted campaign by this evaluation. */
  budgetDraws: { campaignId: string; points: number }[];
  /** Grants to record for limit counting, one per rule that gave points. */
  grants: RuleGrant[];
}

/**
 * Placeholder until the rules engine lands: base and tier only, as before campaigns.
 * The signature is the contract the accrual, preview, activities and jobs build on.
 */
export function evaluateEarning(input: EarnInput): EarnResult {
  if (input.trigger.type !== "order") return { points: 0, breakdown: [], capped: [], budgetDraws: [], grants: [] };
  const earning = computeEarning(input.trigger.amount, input.settings, input.member.tier);
  return { points: earning.points, breakdown: earning.breakdown as EarnLine[], capped: [], budgetDraws: [], grants: [] };
}
