// A referral side's catalog reward: a unit reserved on the reward's stock object, the claim with its coupon for the
// member's batch, or, when none can be given, the record of why (kept on the referral, never lost silently).
import type { Database } from "../db/client";
import { iso } from "../ledger/dates";
import type { OpContext } from "../ledger/plan";
import type { Plan } from "../ledger/state";
import { giftRecord, giftUnavailable } from "../rewards/claim";
import { generateCouponCode } from "../rewards/codes";
import { readReward } from "../rewards/queries";
import type { ClaimRecord, RewardRecord } from "../rewards/types";
import type { ReferralRole } from "./rewards";
import type { SideGrant, UnfulfilledReward } from "./store";

/** The reward stock objects as the member's object reaches them (see RewardStock): the object commits in between. */
export interface GiftStock {
  /** Whether the reward's claims take a unit (stock or pool); if not, nothing is reserved. */
  needsUnit(reward: RewardRecord): boolean;
  reserve(reward: RewardRecord, reservationId: string): Promise<{ ok: true; code: string | null } | { ok: false }>;
  confirm(rewardId: string, reservationId: string): Promise<void>;
  release(rewardId: string, reservationId: string): Promise<void>;
}

/** What the object does once the batch is known: confirm the unit it committed, release one it surely did not. */
export interface StockFollowUp {
  afterCommit?: () => Promise<void>;
  afterRefusal?: () => Promise<void>;
}

/** One claim per referral and side: its id is the grant's idempotency key. */
export function giftClaimId(referralId: string, role: ReferralRole): string {
  return `clm_${referralId}_${role}`;
}

export type GiftOutcome = { claim: ClaimRecord; reservation: { rewardId: string; reservationId: string } | null } | { unfulfilled: UnfulfilledReward };

/**
 * Gives a side its catalog reward: the reward as D1 holds it now (archived or
 * ended: unfulfilled), a unit from its stock object when it has a stock or a
 * pool (none left: unfulfilled, out_of_stock), and the claim for the batch.
 * The reservation is taken last, so nothing after it can refuse the grant.
 */
export async function giveCatalogReward(
  db: Database,
  who: { programId: string; memberId: string },
  side: { referralId: string; role: ReferralRole; rewardId: string },
  stock: GiftStock,
  newReservationId: () => string,
  ctx: OpContext,
): Promise<GiftOutcome> {
  const unfulfilled = (reason: UnfulfilledReward["reason"]): GiftOutcome => ({ unfulfilled: { role: side.role, rewardId: side.rewardId, reason, at: iso(ctx.now) } });
  const reward = await readReward(db, who.programId, side.rewardId);
  if (!reward) return unfulfilled("not_found");
  const closed = giftUnavailable(reward, ctx.now);
  if (closed) return unfulfilled(closed);
  let reservation: { rewardId: string; reservationId: string } | null = null;
  let code: string | null = null;
  if (stock.needsUnit(reward)) {
    const reservationId = newReservationId();
    const answer = await stock.reserve(reward, reservationId);
    if (!answer.ok) return unfulfilled("out_of_stock");
    reservation = { rewardId: reward.id, reservationId };
    code = answer.code;
  }
  const claim = giftRecord(
    who.memberId,
    {
      reward,
      claimId: giftClaimId(side.referralId, side.role),
      referralId: side.referralId,
      reservationId: reservation?.reservationId ?? null,
      code: code ?? generateCouponCode(),
      codeSource: code === null ? "generated" : "pool",
    },
    ctx,
  );
  return { claim, reservation };
}

/** Puts the outcome into the side's plan: the claim in its batch, and what to tell the stock object after. */
export function withGift(plan: Plan<unknown>, gift: GiftOutcome, stock: GiftStock): { grant: SideGrant; followUp: StockFollowUp } {
  if ("unfulfilled" in gift) return { grant: { claimId: null, unfulfilled: gift.unfulfilled }, followUp: {} };
  plan.rewardClaims = { inserts: [gift.claim], updates: [] };
  const r = gift.reservation;
  const followUp: StockFollowUp = r ? { afterCommit: () => stock.confirm(r.rewardId, r.reservationId), afterRefusal: () => stock.release(r.rewardId, r.reservationId) } : {};
  return { grant: { claimId: gift.claim.id, unfulfilled: null }, followUp };
}
