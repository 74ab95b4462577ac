// Tier changes that only time brings (window, grace, end of a granted tier), and tiers granted by hand.
import { DomainError, memberNotFound } from "./errors";
import { addDays, endOfPeriod, iso, utcDate } from "./dates";
import { emptyPlan, entry, event, touched, type OpContext } from "./plan";
import type { TierEntryDetails } from "./entries";
import type { ProgramSettings, Tier, TierQualification } from "./settings";
import type { MemberRecord, MemberState, Plan } from "./state";
import { tierByName, tierFor, upgradedTier } from "./tiers";

export type TierChangeReason = "upgrade" | "downgrade" | "grant" | "grant_ended" | "tier_removed";

export interface TierChange {
  from: string | null;
  to: string | null;
  reason: TierChangeReason;
}

/** The first instant that still counts, or null when everything ever earned counts (lifetime). */
export function qualifyingWindowStart(qualification: TierQualification, now: Date): Date | null {
  switch (qualification.window.type) {
    case "lifetime":
      return null;
    case "rolling":
      return addDays(now, -qualification.window.days);
    case "calendar_year":
      return utcDate(now.getUTCFullYear(), 0);
  }
}

/** When a member who first falls short of their tier at `now` loses it. */
export function graceEnd(qualification: TierQualification, now: Date): Date {
  const grace = qualification.grace;
  switch (grace.policy) {
    case "none":
      return now;
    case "days":
      return addDays(now, grace.days);
    case "period_end":
      return endOfPeriod(now, grace.period, grace.plusPeriods);
  }
}

function ascending(tiers: readonly Tier[]): Tier[] {
  return [...tiers].sort((a, b) => a.threshold - b.threshold);
}

/** The tier just below `current`, or null below the lowest. */
function stepDown(current: Tier, tiers: readonly Tier[]): Tier | null {
  return ascending(tiers).filter((t) => t.threshold < current.threshold).pop() ?? null;
}

/** The member fields a tier review reads and writes. */
export type TierFields = Pick<MemberRecord, "tier" | "qualifyingPoints" | "tierDowngradeAt" | "tierLockedUntil">;

export interface TierDecision extends TierFields {
  change: TierChange | null;
}

/**
 * The member's tier fields after a review at `now`, given the qualifying
 * total over the program's window (null: keep the counter, lifetime window).
 * Upgrades are immediate; a shortfall starts the grace period; at its end the
 * tier drops one step (with a fresh grace) or to what the points deserve.
 * A tier granted by hand holds until its date, then gives way to the deserved one.
 */
export function decideTier(member: TierFields, windowQualifying: number | null, settings: ProgramSettings, now: Date): TierDecision {
  const qualification = settings.tierQualification;
  const qualifyingPoints = Math.max(0, windowQualifying ?? member.qualifyingPoints);
  const deserved = tierFor(qualifyingPoints, settings.tiers);
  const current = tierByName(member.tier, settings.tiers);
  const keep = { tier: member.tier, qualifyingPoints, tierDowngradeAt: member.tierDowngradeAt, tierLockedUntil: member.tierLockedUntil };
  const moveTo = (to: Tier | null, reason: TierChangeReason, downgradeAt: string | null = null): TierDecision => ({
    ...keep,
    tier: to?.name ?? null,
    tierDowngradeAt: downgradeAt,
    change: (to?.name ?? null) === member.tier ? null : { from: member.tier, to: to?.name ?? null, reason },
  });

  // A tier the program no longer has gives way to the deserved one at once, a grant of it included.
  if (member.tier !== null && !current) return { ...moveTo(deserved, "tier_removed"), tierLockedUntil: null };
  if (member.tierLockedUntil) {
    if (Date.parse(member.tierLockedUntil) > now.getTime()) return { ...keep, tierDowngradeAt: null, change: null };
    return { ...moveTo(deserved, "grant_ended"), tierLockedUntil: null };
  }
  if (!current) return moveTo(deserved, "upgrade");
  if (deserved && deserved.threshold >= current.threshold) return moveTo(deserved, "upgrade");
  const downgradeAt = member.tierDowngradeAt ?? iso(graceEnd(qualification, now));
  if (Date.parse(downgradeAt) > now.getTime()) return { ...keep, tierDowngradeAt: downgradeAt, change: null };
  if (qualification.downgrade === "to_deserved") return moveTo(deserved, "downgrade");
  const lower = stepDown(current, settings.tiers);
  const stillAbove = lower !== null && (!deserved || lower.threshold > deserved.threshold);
  return moveTo(lower, "downgrade", stillAbove ? iso(nextStepAt(qualification, now)) : null);
}

/**
 * When a member stepped down one tier may take the next step: after a fresh
 * grace, and never before the next review date (UTC day). Without that floor a
 * program without grace would step again on every run, and a second run by
 * hand, or two overlapping runs, would take a member down two tiers in one day.
 */
function nextStepAt(qualification: TierQualification, now: Date): Date {
  const nextReviewDate = utcDate(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const grace = graceEnd(qualification, now);
  return grace.getTime() > nextReviewDate.getTime() ? grace : nextReviewDate;
}

export function sameTierFields(a: TierFields, b: TierFields): boolean {
  return (
    a.tier === b.tier &&
    a.qualifyingPoints === b.qualifyingPoints &&
    a.tierDowngradeAt === b.tierDowngradeAt &&
    a.tierLockedUntil === b.tierLockedUntil
  );
}

/** The member holds a tier the program's tiers no longer have (removed or renamed). */
export function holdsUnknownTier(member: Pick<MemberRecord, "tier">, settings: ProgramSettings): boolean {
  return member.tier !== null && !tierByName(member.tier, settings.tiers);
}

/**
 * What a change of the program's tiers does to a member, applied before
 * anything else the member's object does: a tier that no longer exists gives
 * way at once to the one the qualifying points over the window deserve (a
 * grant of it ends with it), and points that reach a tier added or lowered
 * since are upgraded as an accrual would. Downgrades still wait for the review.
 */
export function placeTier(state: MemberState, windowQualifying: number | null, ctx: OpContext): Plan<TierChange> | null {
  const member = state.member;
  if (!member) return null;
  let fields: TierFields;
  let details: Pick<TierEntryDetails, "grantUntil" | "until" | "note"> = {};
  if (holdsUnknownTier(member, ctx.settings)) {
    const qualifyingPoints = Math.max(0, windowQualifying ?? member.qualifyingPoints);
    fields = { tier: tierFor(qualifyingPoints, ctx.settings.tiers)?.name ?? null, qualifyingPoints, tierDowngradeAt: null, tierLockedUntil: null };
    if (member.tierLockedUntil) details = { grantUntil: member.tierLockedUntil };
  } else {
    // A grant holds its tier, even below what the points reach, until the review ends it.
    if (member.tierLockedUntil) return null;
    const upgraded = upgradedTier(member.tier, member.qualifyingPoints, ctx.settings.tiers);
    if (upgraded === member.tier) return null;
    fields = { tier: upgraded, qualifyingPoints: member.qualifyingPoints, tierDowngradeAt: null, tierLockedUntil: null };
  }
  const change: TierChange = { from: member.tier, to: fields.tier, reason: holdsUnknownTier(member, ctx.settings) ? "tier_removed" : "upgrade" };
  const plan = emptyPlan({ ...touched(member, ctx, false), ...fields }, state, change);
  withTierChange(plan, ctx, member.memberId, change, details);
  return plan;
}

function withTierChange<R>(plan: Plan<R>, ctx: OpContext, memberId: string, change: TierChange, details: Pick<TierEntryDetails, "grantUntil" | "until" | "note"> = {}) {
  plan.entries.push(entry(ctx, { type: "tier", points: 0, details: { ...change, ...details } }));
  plan.events.push(event(ctx, "tier.changed", null, { memberId, ...change, ...details }));
}

export interface TierReviewResult {
  change: TierChange | null;
  qualifyingPoints: number;
  tierDowngradeAt: string | null;
}

/** The review as a plan, or null when nothing about the member's tier changes. */
export function reviewTier(state: MemberState, windowQualifying: number | null, ctx: OpContext): Plan<TierReviewResult> | null {
  if (!state.member) return null;
  const { change, ...fields } = decideTier(state.member, windowQualifying, ctx.settings, ctx.now);
  if (sameTierFields(state.member, fields)) return null;
  const member = { ...touched(state.member, ctx, false), ...fields };
  const plan = emptyPlan(member, state, { change, qualifyingPoints: fields.qualifyingPoints, tierDowngradeAt: fields.tierDowngradeAt });
  if (change) withTierChange(plan, ctx, member.memberId, change);
  return plan;
}

export interface GrantTierInput {
  tier: string | null;
  until?: string | null;
  reason?: string | null;
}

/**
 * Sets a member's tier by hand (VIP, paid membership). With `until` the tier
 * is kept until then whatever the points say; without, the next review treats
 * it like an earned tier.
 */
export function grantTier(state: MemberState, memberId: string, input: GrantTierInput, ctx: OpContext): Plan<{ change: TierChange | null; tierLockedUntil: string | null }> {
  if (!state.member) throw memberNotFound(memberId);
  if (input.tier !== null && !tierByName(input.tier, ctx.settings.tiers)) {
    throw new DomainError("unknown_tier", `This program has no tier '${input.tier}'.`, {
      tiers: ctx.settings.tiers.map((t) => t.name),
    });
  }
  const until = input.until ? iso(new Date(input.until)) : null;
  if (until && Date.parse(until) <= ctx.now.getTime()) {
    throw new DomainError("validation_failed", "`until` must lie in the future.", { errors: [{ path: "until", message: "in the past" }] });
  }
  const from = state.member.tier;
  const member: MemberRecord = { ...touched(state.member, ctx, false), tier: input.tier, tierLockedUntil: until, tierDowngradeAt: null };
  const change: TierChange | null = from === input.tier ? null : { from, to: input.tier, reason: "grant" };
  const plan = emptyPlan(member, state, { change, tierLockedUntil: until });
  // The entry is written even when the tier stays, so the history shows who extended a grant and why.
  const details = { until, note: input.reason ?? null };
  if (change) withTierChange(plan, ctx, memberId, change, details);
  else plan.entries.push(entry(ctx, { type: "tier", points: 0, details: { from, to: input.tier, reason: "grant", ...details } }));
  return plan;
}
