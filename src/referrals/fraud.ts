// The referral fraud rules as one pure function: what is known of both members in, the reasons to refuse out.
import { addDays, utcDate } from "../ledger/dates";
import type { ReferralSettings } from "../ledger/settings";
import { normalizeEmail } from "./email";

/** Why a referral is refused; each rule adds its own flag, so an operator reads every reason at once. */
export const FRAUD_FLAGS = [
  "self_referral",
  "same_email",
  "same_device",
  "same_payment",
  "referral_loop",
  "already_referred",
  "referrer_cap_reached",
  "referrer_too_new",
  "referee_not_new",
] as const;
export type FraudFlag = (typeof FRAUD_FLAGS)[number];

export interface ReferralParty {
  memberId: string;
  email: string | null;
  /** Hashes as stored (see src/referrals/store.ts), never the storefront's values. */
  deviceHashes: readonly string[];
  paymentHashes: readonly string[];
}

export interface ReferralFacts {
  referrer: ReferralParty & { enrolledAt: string };
  referee: ReferralParty;
  /** The referee already has a referral that was not rejected. */
  refereeAlreadyReferred: boolean;
  /** The referrer was referred by the referee (A refers B, then B refers A). */
  referrerReferredByReferee: boolean;
  /** The referrer's rewarded referrals in the cap's current period. */
  referrerRewardedInPeriod: number;
  /** The referee had earned points before (an existing shopper is not brought in by a referral). */
  refereeHasEarned: boolean;
}

type FraudRules = Pick<ReferralSettings, "capPerReferrer" | "minReferrerAgeDays">;

const shares = (a: readonly string[], b: readonly string[]) => a.some((hash) => b.includes(hash));

/** Every rule the referral breaks, in FRAUD_FLAGS order; empty when it may be rewarded. */
export function fraudFlags(facts: ReferralFacts, rules: FraudRules, now: Date): FraudFlag[] {
  const { referrer, referee } = facts;
  const flags = new Set<FraudFlag>();
  if (referrer.memberId === referee.memberId) flags.add("self_referral");
  const referrerEmail = normalizeEmail(referrer.email);
  if (referrerEmail !== null && referrerEmail === normalizeEmail(referee.email)) flags.add("same_email");
  if (shares(referrer.deviceHashes, referee.deviceHashes)) flags.add("same_device");
  if (shares(referrer.paymentHashes, referee.paymentHashes)) flags.add("same_payment");
  if (facts.referrerReferredByReferee) flags.add("referral_loop");
  if (facts.refereeAlreadyReferred) flags.add("already_referred");
  if (capReached(facts.referrerRewardedInPeriod, rules)) flags.add("referrer_cap_reached");
  if (addDays(new Date(referrer.enrolledAt), rules.minReferrerAgeDays).getTime() > now.getTime()) flags.add("referrer_too_new");
  if (facts.refereeHasEarned) flags.add("referee_not_new");
  return FRAUD_FLAGS.filter((flag) => flags.has(flag));
}

/** The cap, checked again by the referrer's own object when it grants (where the count is exact). */
export function capReached(rewardedInPeriod: number, rules: Pick<ReferralSettings, "capPerReferrer">): boolean {
  return rules.capPerReferrer !== null && rewardedInPeriod >= rules.capPerReferrer.count;
}

/** The cap's calendar period that contains `at` (UTC), as [start, end): a month, a quarter or a year. */
export function capPeriodBounds(at: Date, period: "month" | "quarter" | "year"): { start: Date; end: Date } {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  const first = period === "year" ? 0 : period === "quarter" ? month - (month % 3) : month;
  const length = period === "year" ? 12 : period === "quarter" ? 3 : 1;
  return { start: utcDate(year, first), end: utcDate(year, first + length) };
}
