// Whether a member may claim a reward now, and if not, why: plain facts in, reasons out.
import type { RewardDefinition, RewardRecord } from "./types";

/** What is known of the member (and of the reward's stock) when the question is asked. */
export interface MemberFacts {
  tier: string | null;
  attributes: Record<string, unknown>;
  availablePoints: number;
  /** The member's active paid plans (opaque ids); none until memberships exist. */
  activePlans: readonly string[];
  /** This member's claims of this reward in the limit's current period (cancelled ones not counted). */
  claimsInPeriod: number;
  /** Units left; null when the reward has no stock or it was not asked. */
  stockLeft: number | null;
}

export type UnavailableCode = "archived" | "not_yet_open" | "ended" | "plan_required" | "tier_required" | "member_attributes" | "limit_reached" | "out_of_stock" | "insufficient_points";

export interface Unavailable {
  reason: UnavailableCode;
  detail: string;
}

/** When the reward opens for this member: the earliest early-access window they hold, else its validFrom. */
export function opensAtFor(definition: RewardDefinition, member: Pick<MemberFacts, "tier" | "activePlans">): string | null {
  if (definition.validFrom === null) return null;
  let opens = definition.validFrom;
  for (const window of definition.earlyAccess) {
    const holds = (window.planId !== undefined && member.activePlans.includes(window.planId)) || (window.tier !== undefined && window.tier === member.tier);
    if (holds && window.opensAt < opens) opens = window.opensAt;
  }
  return opens;
}

/** The start (UTC) of the limit's period that contains `now`; null for a lifetime limit. */
export function limitPeriodStart(per: NonNullable<RewardDefinition["limit"]>["per"], now: Date): Date | null {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  switch (per) {
    case "lifetime":
      return null;
    case "day":
      return new Date(Date.UTC(y, m, d));
    case "week":
      // ISO weeks start on Monday.
      return new Date(Date.UTC(y, m, d - ((now.getUTCDay() + 6) % 7)));
    case "month":
      return new Date(Date.UTC(y, m, 1));
    case "year":
      return new Date(Date.UTC(y, 0, 1));
  }
}

/**
 * Every reason the member may not claim the reward at `now`, in the order a
 * person would fix them (nothing to fix for a window or stock); empty when
 * they may. Points come last: "N more points" is only worth saying when
 * nothing else stands in the way.
 */
export function whyUnavailable(reward: Pick<RewardRecord, "status" | "definition">, member: MemberFacts, now: Date): Unavailable[] {
  const d = reward.definition;
  const at = now.toISOString();
  const reasons: Unavailable[] = [];
  if (reward.status === "archived") reasons.push({ reason: "archived", detail: "The reward is no longer offered." });
  const opensAt = opensAtFor(d, member);
  if (opensAt !== null && at < opensAt) reasons.push({ reason: "not_yet_open", detail: `The reward opens at ${opensAt}.` });
  if (d.validUntil !== null && at >= d.validUntil) reasons.push({ reason: "ended", detail: `The reward ended at ${d.validUntil}.` });
  if (d.planIds.length > 0 && !d.planIds.some((p) => member.activePlans.includes(p))) {
    reasons.push({ reason: "plan_required", detail: `Only members of ${d.planIds.join(", ")} may claim it.` });
  }
  if (d.tiers.length > 0 && (member.tier === null || !d.tiers.includes(member.tier))) {
    reasons.push({ reason: "tier_required", detail: `Only members of tier ${d.tiers.join(", ")} may claim it.` });
  }
  const mismatched = Object.entries(d.memberAttributes).filter(([name, value]) => member.attributes[name] !== value);
  if (mismatched.length > 0) {
    reasons.push({ reason: "member_attributes", detail: `The member's ${mismatched.map(([name]) => name).join(", ")} does not qualify.` });
  }
  if (d.limit !== null && member.claimsInPeriod >= d.limit.count) {
    const per = d.limit.per === "lifetime" ? "in total" : `per ${d.limit.per}`;
    reasons.push({ reason: "limit_reached", detail: `A member may claim it ${d.limit.count} time(s) ${per}.` });
  }
  if (member.stockLeft !== null && member.stockLeft <= 0) reasons.push({ reason: "out_of_stock", detail: "None left." });
  if (member.availablePoints < d.costPoints) {
    reasons.push({ reason: "insufficient_points", detail: `It costs ${d.costPoints} points; the member has ${member.availablePoints}.` });
  }
  return reasons;
}

/** Points the member still needs for the reward (0 when they have enough). */
export function pointsNeeded(definition: Pick<RewardDefinition, "costPoints">, availablePoints: number): number {
  return Math.max(0, definition.costPoints - availablePoints);
}
