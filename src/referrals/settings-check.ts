// What the referral settings may name beyond their shapes: catalog rewards the program offers, and one reward per side.
import type { FieldError } from "../ledger/errors";
import type { ReferralSettings } from "../ledger/settings";
import type { RewardRecord } from "../rewards/types";

const SIDES = [
  { rewardId: "refereeRewardId", points: "refereePoints" },
  { rewardId: "referrerRewardId", points: "referrerPoints" },
] as const;

/** A side given both points and a catalog reward: it gets one or the other. */
export function rewardConflicts(next: ReferralSettings): FieldError[] {
  return SIDES.filter((side) => next[side.rewardId] !== null && next[side.points] > 0).map((side) => ({
    path: `referrals.${side.points}`,
    message: `a side gets points or a catalog reward, not both: set ${side.points} to 0 or ${side.rewardId} to null`,
  }));
}

/** The reward ids the change names anew (a reward named before and archived since does not block other changes). */
export function newlyNamedRewards(current: ReferralSettings, next: ReferralSettings): { path: string; rewardId: string }[] {
  return SIDES.filter((side) => next[side.rewardId] !== null && next[side.rewardId] !== current[side.rewardId]).map((side) => ({
    path: `referrals.${side.rewardId}`,
    rewardId: next[side.rewardId]!,
  }));
}

/** Why a named reward cannot be a referral's: missing from the program, or archived. */
export function notOffered(named: { path: string; rewardId: string }, reward: RewardRecord | null): FieldError | null {
  if (!reward) return { path: named.path, message: `the program has no reward '${named.rewardId}'` };
  if (reward.status === "archived") return { path: named.path, message: `reward '${named.rewardId}' is archived` };
  return null;
}
