// The earning evaluator: what an order, an activity, an enrollment or a birthday earns under the
// campaign rules in force, line by line. One pure function, called by the accrual, the preview, the
// activities and the jobs alike, so a preview and the accrual that follows always agree.
import { divideRounded, mulDiv } from "../ledger/money";
import type { ProgramSettings } from "../ledger/settings";
import { tierByName } from "../ledger/tiers";
import { effectPoints, type RulePoints } from "./effects";
import { countsGrants, memberAllowance } from "./limits";
import { matchRule, ProgramClock } from "./match";
import type { ActiveRule } from "./rules";
import { splitByWeights } from "./split";

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
  /** The member's segments as kept by their last batch; read only when a rule names segments. */
  segmentIds?: readonly string[];
  /** The membership plans the member holds in force at the trigger's time (absent: none). */
  plans?: MemberPlans;
}

/** Plans held in force at an instant, and the most early-access days they give (campaigns open that much sooner). */
export interface MemberPlans {
  planIds: readonly string[];
  earlyAccessDays: number;
}

/** A past grant of a rule to this member: what per-member limits and cooldowns count. */
export interface RuleGrant {
  campaignId: string;
  ruleId: string;
  points: number;
  /** When the trigger occurred (ISO). */
  at: string;
  /** Whether the rule's limits or cooldown count this grant (countsGrants): only then is it read back before the next trigger. */
  counted?: boolean;
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
  /** A paid membership's multiplier on the whole earning (added by the accrual, not the rules). */
  | { rule: "membership_multiplier"; points: number; multiplierPercent: number }
  | {
      rule: "tier_multiplier";
      points: number;
      tier: string;
      multiplierPercent: number;
      /** The multiplier cap took some of it (only once every rule's points are gone). */
      capped?: CapReason;
    }
  | {
      rule: "campaign";
      campaignId: string;
      version: number;
      ruleId: string;
      points: number;
      /** Why it applied, for a shopper's "why did I get 12 points". */
      reason: string;
      /** Line items the rule matched, with the points each earned by it (item-scoped effects), for refunds by item. */
      items?: { sku: string; points: number; quantity?: number }[];
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

/** Rules in evaluation order: higher priority first, ties by campaign id, then rule id (code unit order, not locale). */
export function byPriority(a: ActiveRule, b: ActiveRule): number {
  if (a.rule.priority !== b.rule.priority) return b.rule.priority - a.rule.priority;
  if (a.campaignId !== b.campaignId) return a.campaignId < b.campaignId ? -1 : 1;
  return a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0;
}

interface Applied {
  active: ActiveRule;
  raw: RulePoints;
  /** Before the multiplier cap. */
  granted: number;
  points: number;
  capped?: CapReason;
}

/**
 * What the tier multiplier adds, rounded once on the whole: with scope "base",
 * round(amount * rate * m) - base (as before campaigns); with scope "all",
 * round((amount * rate + rulePoints) * m) - base - rulePoints. Never negative.
 */
function tierPoints(input: EarnInput, base: number, rulePoints: number, multiplierPercent: number): number {
  const { settings, trigger } = input;
  const { points: ratePoints, perAmount } = settings.earnRate;
  const amount = trigger.type === "order" ? BigInt(trigger.amount) * BigInt(ratePoints) : 0n;
  const extra = settings.earning.tierMultiplierScope === "all" ? BigInt(rulePoints) : 0n;
  const total = divideRounded((amount + extra * BigInt(perAmount)) * BigInt(multiplierPercent), BigInt(perAmount) * 100n, settings.rounding);
  return total - base - Number(extra);
}

/**
 * What a trigger earns under the rules in force, line by line (docs/earning-rules.md has the formulas):
 * base points, then each matching rule in priority order (an exclusive one that gives points ends the
 * list), each through its member limits, cooldown and campaign budget; then the tier multiplier; then
 * the multiplier cap, which trims the lowest-priority rule points first. Lines add up to `points`.
 */
export function evaluateEarning(input: EarnInput): EarnResult {
  const { trigger, settings } = input;
  const isOrder = trigger.type === "order";
  const base = isOrder ? mulDiv(trigger.amount, settings.earnRate.points, settings.earnRate.perAmount, settings.rounding) : 0;
  const clock = new ProgramClock(input.occurredAt, settings.timeZone);
  const budgetLeft = new Map(input.budgetLeft);
  const applied: Applied[] = [];
  const capped: CappedRule[] = [];
  const cap = (active: ActiveRule, reason: CapReason, points: number) =>
    capped.push({ campaignId: active.campaignId, version: active.version, ruleId: active.rule.id, capped: reason, points });

  // A list that comes sorted (byPriority) sorts in linear time.
  const ordered = input.rules.length > 1 ? [...input.rules].sort(byPriority) : input.rules;
  for (const active of ordered) {
    const match = matchRule(active, input, clock);
    if (!match) continue;
    const raw = effectPoints(active.rule, match, trigger, base, settings);
    if (!raw || raw.points <= 0) continue;
    const allowance = memberAllowance(active, input.grants, clock);
    if (allowance.blocked) {
      cap(active, allowance.blocked, raw.points);
      continue;
    }
    let points = raw.points;
    let reason: CapReason | undefined;
    if (allowance.pointsLeft !== null && points > allowance.pointsLeft) {
      points = allowance.pointsLeft;
      reason = "member_limit";
    }
    const left = budgetLeft.get(active.campaignId);
    if (left !== undefined && points > left) {
      points = Math.max(0, left);
      reason = "budget";
    }
    if (points <= 0) {
      cap(active, reason ?? "budget", raw.points);
      continue;
    }
    if (left !== undefined) budgetLeft.set(active.campaignId, left - points);
    applied.push({ active, raw, granted: points, points, ...(reason ? { capped: reason } : {}) });
    if (active.rule.exclusive) break;
  }

  const tier = tierByName(input.member.tier, settings.tiers);
  const multiplierPercent = tier?.multiplierPercent ?? 100;
  // Without an order there are no base points: the tier multiplies rule points only, and only with scope "all".
  const tierApplies = tier !== null && multiplierPercent !== 100 && (isOrder || (settings.earning.tierMultiplierScope === "all" && applied.length > 0));
  const tierFor = (rulePoints: number) => (tierApplies ? tierPoints(input, base, rulePoints, multiplierPercent) : 0);
  let rulePoints = applied.reduce((sum, a) => sum + a.points, 0);
  let tierLine = tierFor(rulePoints);
  let tierCapped = false;

  const maxPercent = settings.earning.maxMultiplierPercent;
  if (isOrder && maxPercent !== null) {
    const maxTotal = mulDiv(base, maxPercent, 100, "floor");
    if (base + rulePoints + tierLine > maxTotal) {
      // The most rule points that fit: the total only grows with them, so a binary search finds it.
      let low = 0;
      let high = rulePoints;
      while (low < high) {
        const mid = Math.ceil((low + high) / 2);
        if (base + mid + tierFor(mid) <= maxTotal) low = mid;
        else high = mid - 1;
      }
      let trim = rulePoints - low;
      for (let index = applied.length - 1; index >= 0 && trim > 0; index--) {
        const rule = applied[index]!;
        const cut = Math.min(rule.points, trim);
        rule.points -= cut;
        rule.capped = "multiplier_cap";
        trim -= cut;
      }
      rulePoints = low;
      tierLine = tierFor(low);
      if (base + rulePoints + tierLine > maxTotal) {
        tierLine = maxTotal - base - rulePoints;
        tierCapped = true;
      }
    }
  }

  const breakdown: EarnLine[] = isOrder ? [{ rule: "base", points: base }] : [];
  const grants: RuleGrant[] = [];
  const draws = new Map<string, number>();
  const at = input.occurredAt.toISOString();
  for (const rule of applied) {
    const { active, raw } = rule;
    const budgeted = active.budget !== null || input.budgetLeft.has(active.campaignId);
    if (budgeted && !draws.has(active.campaignId)) draws.set(active.campaignId, 0);
    if (rule.points <= 0) {
      cap(active, "multiplier_cap", rule.granted);
      continue;
    }
    const items =
      raw.items === undefined
        ? undefined
        : rule.points === raw.points
          ? raw.items
          : splitByWeights(
              rule.points,
              raw.items.map((item) => item.points),
            ).map((points, index) => ({ ...raw.items![index]!, points }));
    breakdown.push({
      rule: "campaign",
      campaignId: active.campaignId,
      version: active.version,
      ruleId: active.rule.id,
      points: rule.points,
      reason: active.rule.name ? `${active.rule.name}: ${raw.reason}` : raw.reason,
      ...(items ? { items } : {}),
      ...(raw.multiplierPercent !== undefined ? { multiplierPercent: raw.multiplierPercent } : {}),
      ...(rule.capped ? { capped: rule.capped } : {}),
    });
    grants.push({ campaignId: active.campaignId, ruleId: active.rule.id, points: rule.points, at, counted: countsGrants(active.rule) });
    if (budgeted) draws.set(active.campaignId, draws.get(active.campaignId)! + rule.points);
  }
  if (tierApplies) {
    breakdown.push({ rule: "tier_multiplier", points: tierLine, tier: tier!.name, multiplierPercent, ...(tierCapped ? { capped: "multiplier_cap" as const } : {}) });
  }
  const points = breakdown.reduce((sum, line) => sum + line.points, 0);
  return {
    points,
    breakdown,
    capped,
    budgetDraws: [...draws].filter(([, drawn]) => drawn > 0).map(([campaignId, drawn]) => ({ campaignId, points: drawn })),
    grants,
  };
}
