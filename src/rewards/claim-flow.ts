// A claim end to end: reserve a unit (and a pool code) from the reward's object,
// commit the claim through the member's object, then confirm, or release on a refusal.
import { database } from "../db/client";
import { DomainError } from "../ledger/errors";
import { ulid } from "../lib/ids";
import { memberLedgerOf, type ClaimWithBalanceView, type LedgerReply, type SentCall } from "../members/member-ledger";
import { readStoredResponse, type StoredOutcome } from "../members/store";
import { generateCouponCode } from "./codes";
import { readClaim } from "./queries";
import { rewardStockOf, stockIdentity, usesStockObject } from "./stock-object";
import type { RewardRecord } from "./types";

export { stockIdentity, usesStockObject };

export type ClaimReply = LedgerReply<ClaimWithBalanceView, true>;

/**
 * The order keeps stock exact whatever fails: a unit is reserved before the
 * member's batch, which records the reservation with the claim. If the batch
 * committed, the reservation is confirmed (now, or by reconcile once it
 * lapses); if the member's object refused, it is released at once; if the
 * outcome is unknown (the object or D1 failed), it is left pending for
 * reconcile to decide from D1.
 */
export async function claimThroughStock(env: Env, call: SentCall, reward: RewardRecord, activePlans: readonly string[], now: Date): Promise<ClaimReply> {
  const member = memberLedgerOf(env, call.programId, call.memberId);
  const claimId = `clm_${ulid()}`;
  // Nothing to reserve for a reward no one may claim now (archived, or its window over): the member's object refuses it.
  const closed = reward.status === "archived" || (reward.definition.validUntil !== null && now.toISOString() >= reward.definition.validUntil);
  if (!usesStockObject(reward) || closed) {
    return member.claimReward(call, { reward, claimId, reservationId: null, code: generateCouponCode(), codeSource: "generated", activePlans });
  }
  const stock = rewardStockOf(env, call.programId, reward.id);
  const reservationId = `rsv_${ulid()}`;
  const answer = await stock.reserve(stockIdentity(call.programId, reward), reservationId, now.getTime());
  if (!answer.ok) return (await replayed(env, call)) ?? outOfStock(reward);
  const { code } = answer.reservation;
  const reply = await member.claimReward(call, {
    reward,
    claimId,
    reservationId,
    code: code ?? generateCouponCode(),
    codeSource: code === null ? "generated" : "pool",
    activePlans,
  });
  if (!reply.ok) {
    await stock.release(reservationId);
  } else if (reply.replayed) {
    // A retry of a claim that committed before: this attempt's unit goes back, the first one's is confirmed.
    await stock.release(reservationId);
    const first = await readClaim(database(env.DB), call.programId, reply.value.id);
    if (first?.reservationId) await stock.confirm(first.reservationId);
  } else {
    await stock.confirm(reservationId);
  }
  return reply;
}

/** No unit left: a retry of a claim that was answered before still gets that answer. */
async function replayed(env: Env, call: SentCall): Promise<ClaimReply | null> {
  if (!call.idempotency) return null;
  const stored = await readStoredResponse(database(env.DB), call.programId, call.idempotency);
  if (!stored) return null;
  if (stored.requestHash !== call.idempotency.requestHash) {
    return { ok: false, replayed: false, error: new DomainError("idempotency_key_reused", `Idempotency-Key '${call.idempotency.key}' was already used with a different request.`).toFailure() };
  }
  // The record names this route and body: it is this claim's own first answer.
  return { ...(stored.outcome as StoredOutcome<ClaimWithBalanceView, true>), replayed: true };
}

function outOfStock(reward: RewardRecord): ClaimReply {
  return { ok: false, replayed: false, error: new DomainError("reward_out_of_stock", `Reward '${reward.id}' is out of stock.`).toFailure() };
}
