// What to show a member, ranked, and why each is shown: plain data in, an ordered list out.
import type { CatalogLine } from "../rewards/catalog";

export type OfferReason =
  | { code: "affordable"; detail: string }
  | { code: "points_to_go"; detail: string }
  | { code: "segment"; detail: string; segmentId: string };

export interface Offer {
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
export function rankRewardOffers(lines: readonly CatalogLine[], availablePoints: number, segments: ReadonlyMap<string, string>): Offer[] {
  const offers = lines
    .filter((line) => line.unavailable.every((u) => u.reason === "insufficient_points"))
    .map((line): Offer => {
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
