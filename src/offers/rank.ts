// What to show a member, ranked, and why each is shown: plain data in, an ordered list out.
import type { CatalogLine } from "../rewards/catalog";
import type { CampaignOffer } from "./campaigns";

export type OfferReason =
  | { code: "affordable"; detail: string }
  | { code: "points_to_go"; detail: string }
  | { code: "segment"; detail: string; segmentId: string };

export interface RewardOffer {
  kind: "reward";
  rewardId: string;
  name: string;
  costPoints: number;
  pointsNeeded: number;
  claimable: boolean;
  reasons: OfferReason[];
}

/**
 * Rewards the member could claim if only points were missing, ranked: the affordable ones first,
 * the one that uses most of the balance (closest to it) first; then the ones still out of reach,
 * fewest points to go first. A reward barred for another reason (tier, limit, stock, window) is not
 * an offer. `segments` names the member's segments, for the reason a restricted reward is shown.
 */
export function rankRewardOffers(lines: readonly CatalogLine[], availablePoints: number, segments: ReadonlyMap<string, string>): RewardOffer[] {
  const offers = lines
    .filter((line) => line.unavailable.every((u) => u.reason === "insufficient_points"))
    .map((line): RewardOffer => {
      const { reward } = line;
      const reasons: OfferReason[] = [
        line.claimable
          ? { code: "affordable", detail: `Claimable now for ${reward.definition.costPoints} of your ${availablePoints} points.` }
          : { code: "points_to_go", detail: `${line.pointsNeeded} points to go.` },
      ];
      for (const segmentId of reward.definition.segmentIds ?? []) {
        const name = segments.get(segmentId);
        if (name !== undefined) reasons.push({ code: "segment", detail: `Offered to the segment "${name}".`, segmentId });
      }
      return { kind: "reward", rewardId: reward.id, name: reward.definition.name, costPoints: reward.definition.costPoints, pointsNeeded: line.pointsNeeded, claimable: line.claimable, reasons };
    });
  return offers.sort(
    (a, b) =>
      Number(b.claimable) - Number(a.claimable) ||
      (a.claimable ? b.costPoints - a.costPoints : a.pointsNeeded - b.pointsNeeded) ||
      (a.rewardId < b.rewardId ? -1 : 1),
  );
}

export type Offer = RewardOffer | CampaignOffer;

const SOON_MS = 7 * 86_400_000;

/**
 * Campaigns among themselves: those ending within a week first, soonest first (the member can still catch
 * them); then by ending date, open-ended last; then by id, so the order is stable. Their value is not
 * compared: points of a multiplier, a fixed bonus and cashback depend on an order not yet placed.
 */
function byUrgency(now: number) {
  return (a: CampaignOffer, b: CampaignOffer): number => {
    const end = (o: CampaignOffer) => (o.endsAt === null ? Infinity : Date.parse(o.endsAt));
    const soon = (o: CampaignOffer) => end(o) - now <= SOON_MS;
    return Number(soon(b)) - Number(soon(a)) || end(a) - end(b) || (a.campaignId === b.campaignId ? (a.ruleId < b.ruleId ? -1 : 1) : a.campaignId < b.campaignId ? -1 : 1);
  };
}

/**
 * Everything offered, ranked: the affordable rewards (closest to the balance first), then the campaigns
 * on the member's favourite categories, then the other campaigns, then the rewards still out of reach
 * (fewest points to go first). `rewards` come ranked from rankRewardOffers.
 */
export function rankOffers(rewards: readonly RewardOffer[], campaigns: readonly CampaignOffer[], now: Date): Offer[] {
  const ordered = [...campaigns].sort(byUrgency(now.getTime()));
  const favourite = (o: CampaignOffer) => o.reasons.some((r) => r.code === "favourite_category");
  return [
    ...rewards.filter((o) => o.claimable),
    ...ordered.filter(favourite),
    ...ordered.filter((o) => !favourite(o)),
    ...rewards.filter((o) => !o.claimable),
  ];
}
