// What the member's object does for referrals, on its own serialized state: record one at enrollment, reward a side, settle it.
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import { DomainError } from "../ledger/errors";
import { newId } from "../lib/ids";
import { enroll, type EnrollInput } from "../ledger/ops/enroll";
import type { OpContext } from "../ledger/plan";
import type { MemberState, Plan } from "../ledger/state";
import { memberView, type MemberView } from "../members/views";
import { normalizeReferralCode } from "./codes";
import { capPeriodBounds, fraudFlags, type FraudFlag } from "./fraud";
import { newReferral, qualify, settle } from "./lifecycle";
import { giveCatalogReward, withGift, type GiftStock, type StockFollowUp } from "./gifts";
import { creditReferral, qualificationPlan, referralLotId, referralRejectedEvent, rewardOf, settlementPlan, type ReferralRole } from "./rewards";
import {
  fingerprintsOf,
  firstQualifyingOrder,
  insertFingerprints,
  insertReferral,
  ownerOfCode,
  readLot,
  readReferral,
  referralHistory,
  referralOf,
  refundedBefore,
  rewardedInPeriod,
  updateRefereeSide,
  updateReferrerSide,
  type FingerprintKind,
  type Referral,
  type ReferralStatus,
} from "./store";

/** What the object commits: a plan, and the referral rows that go in the same batch. */
export interface ObjectWork<T> {
  plan: Plan<unknown> | null;
  value: T;
  extra?: BatchItem<"sqlite">[];
  /** A catalog reward's stock unit: confirmed once the batch commits, released if it surely did not. */
  stock?: StockFollowUp;
}

/** What enrollment passes on: the code the new member typed, and fingerprints already hashed for storage. */
export interface ReferralEnrollment {
  referralCode: string | null;
  fingerprints: { kind: FingerprintKind; hash: string }[];
}

export interface ReferredEnrollment {
  member: MemberView;
  created: boolean;
  referral: { id: string; status: ReferralStatus; fraudFlags: FraudFlag[] } | null;
}

interface Who {
  programId: string;
  memberId: string;
}

/** How the member's object reaches rewards' stock objects, and makes reservation ids. */
export interface GiftMeans {
  stock: GiftStock;
  newReservationId: () => string;
}

/**
 * A side's catalog reward into its plan, if the referral names one: the
 * claim with its coupon, or the record of why it could not be given.
 */
async function gift(db: Database, who: Who, referral: Referral, role: ReferralRole, plan: Plan<unknown>, means: GiftMeans, ctx: OpContext) {
  const reward = rewardOf(referral, role);
  if (reward.kind !== "catalog_reward") return { grant: undefined, followUp: {} };
  const outcome = await giveCatalogReward(db, who, { referralId: referral.id, role, rewardId: reward.rewardId }, means.stock, means.newReservationId, ctx);
  return withGift(plan, outcome, means.stock);
}

/**
 * Enrollment with a referral code or fingerprints: the fingerprints are kept
 * (hashed), and the referral is judged by the fraud rules and recorded,
 * pending or rejected with its flags, in the enrollment's own batch. The same
 * code sent again by a member it already brought in records nothing new.
 */
export async function enrollReferred(db: Database, who: Who, state: MemberState, input: EnrollInput, referral: ReferralEnrollment, ctx: OpContext): Promise<ObjectWork<ReferredEnrollment>> {
  const { programId, memberId } = who;
  const { now, settings } = ctx;
  const plan = enroll(state, memberId, input, ctx);
  const extra = insertFingerprints(db, programId, memberId, referral.fingerprints, now);
  let recorded: ReferredEnrollment["referral"] = null;
  if (referral.referralCode !== null) {
    if (!settings.referrals.enabled) throw new DomainError("referrals_disabled", "This program does not run referrals.");
    const code = normalizeReferralCode(referral.referralCode);
    const referrerId = code ? await ownerOfCode(db, programId, code) : null;
    const history = referrerId ? await referralHistory(db, programId, referrerId, memberId, capPeriod(ctx)) : null;
    if (!code || !referrerId || !history?.referrer) {
      throw new DomainError("referral_code_not_found", `No member of this program has the referral code '${referral.referralCode}'.`, {
        errors: [{ path: "referralCode", message: "unknown code" }],
      });
    }
    const existing = await referralOf(db, programId, memberId);
    if (existing && existing.referrerId === referrerId) {
      recorded = { id: existing.id, status: existing.status, fraudFlags: existing.fraudFlags };
    } else {
      const [referrerPrints, ownPrints] = await Promise.all([fingerprintsOf(db, programId, referrerId), fingerprintsOf(db, programId, memberId)]);
      const sent = (kind: FingerprintKind) => referral.fingerprints.filter((f) => f.kind === kind).map((f) => f.hash);
      const flags = fraudFlags(
        {
          referrer: { memberId: referrerId, email: history.referrer.email, enrolledAt: history.referrer.enrolledAt, ...referrerPrints },
          referee: {
            memberId,
            email: input.email !== undefined ? input.email : (state.member?.email ?? null),
            deviceHashes: [...ownPrints.deviceHashes, ...sent("device")],
            paymentHashes: [...ownPrints.paymentHashes, ...sent("payment")],
          },
          refereeAlreadyReferred: history.refereeAlreadyReferred,
          referrerReferredByReferee: history.referrerReferredByReferee,
          referrerRewardedInPeriod: history.referrerRewardedInPeriod,
          refereeHasEarned: (state.member?.lifetimeEarned ?? 0) > 0,
        },
        settings.referrals,
        now,
      );
      const row = newReferral(newId("ref"), referrerId, memberId, code, flags, settings.referrals, now);
      extra.push(insertReferral(db, programId, row));
      if (row.status === "rejected") plan.events.push(referralRejectedEvent(ctx, memberId, row));
      recorded = { id: row.id, status: row.status, fraudFlags: row.fraudFlags };
    }
  }
  return { plan, extra, value: { member: memberView(plan.nextState, settings, now), created: plan.result.created, referral: recorded } };
}

function capPeriod(ctx: OpContext): { start: Date; end: Date } | null {
  const cap = ctx.settings.referrals.capPerReferrer;
  return cap ? capPeriodBounds(ctx.now, cap.period) : null;
}

export interface ReferralStep {
  referralId: string;
  status: ReferralStatus | null;
  /** What this call did: nothing (not due yet, or done before), or the step it took. */
  step: "none" | "rejected" | "rewarded" | "completed" | "cancelled" | "referee_rewarded";
}

/**
 * The referrer's side, in the referrer's object: a pending referral is
 * rewarded (or rejected by the cap, counted here where it is exact) once its
 * trigger happened; a qualified one is settled by its order's refunds and window.
 */
export async function advanceReferrer(db: Database, who: Who, state: MemberState, referralId: string, means: GiftMeans, ctx: OpContext): Promise<ObjectWork<ReferralStep>> {
  const { programId, memberId } = who;
  const { settings, now } = ctx;
  const referral = await readReferral(db, programId, referralId);
  const none = (r: Referral | null): ObjectWork<ReferralStep> => ({ plan: null, value: { referralId, status: r?.status ?? null, step: "none" } });
  if (!referral || referral.referrerId !== memberId) return none(null);
  if (referral.status === "pending") {
    const order =
      referral.trigger === "first_order"
        ? await firstQualifyingOrder(db, programId, referral.refereeId, referral.createdAt, referral.minOrderAmount, settings.pendingDays)
        : null;
    const cap = settings.referrals.capPerReferrer;
    const counted = cap ? await rewardedInPeriod(db, programId, memberId, capPeriodBounds(now, cap.period)) : 0;
    const lotId = referral.referrerPoints > 0 ? referralLotId(referral.id, "referrer") : null;
    const decision = qualify(referral, order, counted, settings.referrals, lotId, now);
    if (decision.kind === "wait") return none(referral);
    const plan = qualificationPlan(state, memberId, decision, ctx);
    const step = decision.kind === "rejected" ? "rejected" : "rewarded";
    // The referrer's catalog reward comes with completion (a coupon cannot wait out a return window as points do).
    const given = decision.referral.status === "completed" ? await gift(db, who, referral, "referrer", plan, means, ctx) : { grant: undefined, followUp: {} };
    return {
      plan,
      extra: [updateReferrerSide(db, programId, referral, decision.referral, given.grant)],
      stock: given.followUp,
      value: { referralId, status: decision.referral.status, step },
    };
  }
  if (referral.status === "qualified") {
    const refunded = await refundedBefore(db, programId, referral.refereeId, referral.orderIssuer ?? "", referral.orderId ?? "", referral.rewardAvailableAt ?? "");
    const decision = settle(referral, refunded, now);
    if (decision.kind === "wait") return none(referral);
    const lot = decision.kind === "cancelled" && referral.referrerLotId ? await readLot(db, programId, referral.referrerLotId) : null;
    const plan = settlementPlan(state, memberId, decision, lot, ctx);
    const given = decision.kind === "completed" ? await gift(db, who, referral, "referrer", plan, means, ctx) : { grant: undefined, followUp: {} };
    return {
      plan,
      extra: [updateReferrerSide(db, programId, referral, decision.referral, given.grant)],
      stock: given.followUp,
      value: { referralId, status: decision.referral.status, step: decision.kind },
    };
  }
  return none(referral);
}

/** The referee's side, in the referee's object: rewarded once the referrer's object has rewarded the referral. */
export async function rewardReferee(db: Database, who: Who, state: MemberState, referralId: string, means: GiftMeans, ctx: OpContext): Promise<ObjectWork<ReferralStep>> {
  const { programId, memberId } = who;
  const referral = await readReferral(db, programId, referralId);
  const rewardedSide = referral && ["qualified", "completed", "cancelled"].includes(referral.status);
  if (!referral || referral.refereeId !== memberId || !rewardedSide || referral.refereeRewardedAt !== null) {
    return { plan: null, value: { referralId, status: referral?.status ?? null, step: "none" } };
  }
  const plan = creditReferral(state, memberId, { referralId, role: "referee", reward: rewardOf(referral, "referee"), availableAt: ctx.now }, ctx);
  const given = await gift(db, who, referral, "referee", plan, means, ctx);
  const lotId = referral.refereePoints > 0 ? referralLotId(referral.id, "referee") : null;
  return {
    plan,
    extra: [updateRefereeSide(db, programId, referralId, lotId, ctx.now.toISOString(), given.grant)],
    stock: given.followUp,
    value: { referralId, status: referral.status, step: "referee_rewarded" },
  };
}
