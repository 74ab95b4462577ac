// Whether a member is in a segment: a pure function of their statistics, their record and the time.
import type { RfmConditions, SegmentConditions } from "./conditions";
import { favouriteCategories, type MemberStats } from "./stats";

export interface SegmentMember {
  tier: string | null;
  attributes: Record<string, unknown>;
  activePlans: readonly string[];
  /** 1..12, when the member gave a birthday. */
  birthdayMonth?: number | null;
}

const DAY_MS = 86_400_000;

export function daysSince(at: string | null, now: Date): number | null {
  if (at === null) return null;
  return Math.max(0, Math.floor((now.getTime() - Date.parse(at)) / DAY_MS));
}

/** 1 below the first cut, 5 at or above the last. */
function ascendingScore(value: number, cuts: readonly number[]): number {
  return 1 + cuts.filter((cut) => value >= cut).length;
}

/** Fixed cut points stated by the segment, not quintiles: a member's score moves only with their own orders and the clock. */
export function rfmScores(stats: MemberStats, rfm: Pick<RfmConditions, "recencyDays" | "frequencyOrders" | "monetarySpend">, now: Date) {
  const days = daysSince(stats.lastOrderAt, now);
  return {
    recency: days === null ? 1 : 6 - ascendingScore(days, rfm.recencyDays),
    frequency: ascendingScore(stats.orderCount, rfm.frequencyOrders),
    monetary: ascendingScore(stats.lifetimeSpend, rfm.monetarySpend),
  };
}

function inRange(value: number, range: { min?: number; max?: number } | undefined): boolean {
  if (!range) return true;
  return (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max);
}

export function inSegment(stats: MemberStats, member: SegmentMember, conditions: SegmentConditions, now: Date): boolean {
  const c = conditions;
  if (c.tiers && !(member.tier !== null && c.tiers.includes(member.tier))) return false;
  if (c.plans && !member.activePlans.some((p) => c.plans!.includes(p))) return false;
  if (!inRange(stats.availablePoints, c.pointsBalance)) return false;
  if (!inRange(stats.lifetimeSpend, c.lifetimeSpend)) return false;
  if (!inRange(stats.orderCount, c.orderCount)) return false;
  if (c.daysSinceLastOrder) {
    const days = daysSince(stats.lastOrderAt, now);
    if (days === null || !inRange(days, c.daysSinceLastOrder)) return false;
  }
  if (c.rfm) {
    const scores = rfmScores(stats, c.rfm, now);
    if (c.rfm.recency && !inRange(scores.recency, c.rfm.recency)) return false;
    if (c.rfm.frequency && !inRange(scores.frequency, c.rfm.frequency)) return false;
    if (c.rfm.monetary && !inRange(scores.monetary, c.rfm.monetary)) return false;
  }
  if (c.favouriteCategories) {
    const favourites = favouriteCategories(stats);
    if (!c.favouriteCategories.some((name) => favourites.includes(name))) return false;
  }
  if (c.channels) {
    const used = { online: stats.onlineOrders, store: stats.storeOrders, app: stats.appOrders };
    if (!c.channels.some((ch) => used[ch] > 0)) return false;
  }
  if (c.birthdayMonths && !(member.birthdayMonth != null && c.birthdayMonths.includes(member.birthdayMonth))) return false;
  if (c.attributes) {
    for (const [key, value] of Object.entries(c.attributes)) if (member.attributes[key] !== value) return false;
  }
  return true;
}
