// The sign-up bonus and the birthday bonus as plans: evaluated by the campaign rules of their trigger.
import { evaluateEarning, type MemberPlans, type RuleGrant } from "../campaigns/evaluate";
import type { ActiveRule } from "../campaigns/rules";
import { iso } from "../ledger/dates";
import { emptyPlan, event, touched, type OpContext } from "../ledger/plan";
import type { MemberState, Plan } from "../ledger/state";
import { celebratesOn, localDate } from "./birthday";
import { addBonus, type BonusGranted } from "./grant";

export interface BonusRules {
  rules: readonly ActiveRule[];
  grants: readonly RuleGrant[];
  budgetLeft: ReadonlyMap<string, number>;
  /** The membership plans held in force now (a birthday rule may name plans). */
  plans?: MemberPlans;
}

/** The once-key of each bonus in member_bonuses. */
export const ENROLLMENT_BONUS = "enrollment";
export const birthdayBonusKey = (year: number) => `birthday:${year}`;

/**
 * The sign-up bonus, added to the plan that enrolls the member (an enrollment,
 * or the first accrual that enrolls them), so it lands in the same batch.
 * Once per member: only a plan that creates the member calls this, and
 * member_bonuses refuses a second 'enrollment' row.
 */
export function addSignUpBonus(plan: Plan<unknown>, campaigns: BonusRules, ctx: OpContext): BonusGranted | null {
  if (!plan.memberIsNew || campaigns.rules.length === 0) return null;
  const member = plan.member;
  const earn = evaluateEarning({
    trigger: { type: "enrollment" },
    occurredAt: ctx.now,
    member: { tier: member.tier, attributes: member.attributes },
    settings: ctx.settings,
    rules: campaigns.rules,
    grants: campaigns.grants,
    budgetLeft: campaigns.budgetLeft,
  });
  const granted = addBonus(plan, { details: { source: "enrollment" }, earn, occurredAt: iso(ctx.now), bonusId: ctx.newId("acc"), activity: false }, ctx);
  if (granted.points === 0) return null;
  plan.memberBonuses = [...(plan.memberBonuses ?? []), { bonus: ENROLLMENT_BONUS, points: granted.points, entryId: granted.entryId }];
  plan.events.push(event(ctx, "bonus.granted", null, { memberId: member.memberId, bonus: "enrollment", points: granted.points }));
  return granted;
}

export interface BirthdayResult {
  year: number;
  points: number;
  /** Why nothing was given: not the member's day, already given this year, or no rule gave points. */
  skipped: "not_today" | "already_given" | "no_points" | null;
}

/**
 * The year's birthday bonus, on the member's day in the program's time zone
 * (a 29 February birthday on 28 February in common years). `given` says the
 * year's bonus is already recorded; null when there is nothing to write.
 */
export function birthdayBonus(state: MemberState, campaigns: BonusRules, given: boolean, ctx: OpContext): Plan<BirthdayResult> | null {
  const member = state.member;
  const today = localDate(ctx.now, ctx.settings.timeZone);
  if (!member?.birthday || !celebratesOn(member.birthday, today) || given) return null;
  const earn = evaluateEarning({
    trigger: { type: "birthday" },
    occurredAt: ctx.now,
    member: { tier: member.tier, attributes: member.attributes, plans: campaigns.plans },
    settings: ctx.settings,
    rules: campaigns.rules,
    grants: campaigns.grants,
    budgetLeft: campaigns.budgetLeft,
  });
  if (earn.points <= 0) return null;
  const plan = emptyPlan(touched(member, ctx, false), state, { year: today.year, points: 0, skipped: null } as BirthdayResult);
  const granted = addBonus(plan, { details: { source: "birthday", year: today.year }, earn, occurredAt: iso(ctx.now), bonusId: ctx.newId("acc"), activity: false }, ctx);
  plan.result.points = granted.points;
  plan.memberBonuses = [{ bonus: birthdayBonusKey(today.year), points: granted.points, entryId: granted.entryId }];
  plan.events.push(event(ctx, "bonus.granted", null, { memberId: member.memberId, bonus: "birthday", points: granted.points, year: today.year }));
  return plan;
}
