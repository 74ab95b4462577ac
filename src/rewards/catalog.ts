// The catalog as one member sees it: for every reward, claimable or not, why, and how many points are missing.
import { limitPeriodStart, pointsNeeded, whyUnavailable, type Unavailable } from "./availability";
import type { RewardRecord } from "./types";

export interface CatalogMember {
  tier: string | null;
  attributes: Record<string, unknown>;
  availablePoints: number;
  activePlans: readonly string[];
  /** The member's claims (cancelled ones aside): which reward, when. */
  claims: readonly { rewardId: string; createdAt: string }[];
}

export interface CatalogLine {
  reward: RewardRecord;
  claimable: boolean;
  pointsNeeded: number;
  unavailable: Unavailable[];
  stockLeft: number | null;
}

/** `stockLeft` answers per reward what its object counts (null: no stock, or not known). */
export function memberCatalog(rewards: readonly RewardRecord[], member: CatalogMember, stockLeft: (rewardId: string) => number | null, now: Date): CatalogLine[] {
  return rewards.map((reward) => {
    const limit = reward.definition.limit;
    const since = limit ? limitPeriodStart(limit.per, now) : null;
    const claimsInPeriod = limit ? member.claims.filter((c) => c.rewardId === reward.id && (since === null || c.createdAt >= since.toISOString())).length : 0;
    const left = stockLeft(reward.id);
    const unavailable = whyUnavailable(reward, { ...member, claimsInPeriod, stockLeft: left }, now);
    return { reward, claimable: unavailable.length === 0, pointsNeeded: pointsNeeded(reward.definition, member.availablePoints), unavailable, stockLeft: left };
  });
}
