// Job: coupons past their validity expire, their points returned or kept as the reward says, their unit back in stock.
import { expiredCoupons, listRewards, readClaim } from "../rewards/queries";
import { stockIdentity, usesStockObject } from "../rewards/claim-flow";
import { rewardStockOf } from "../rewards/stock-object";
import { askMember, forEachMember, hasBudget, spendBatch, type Job, type JobContext } from "./support";

/** Each coupon through its member's object, which re-checks it is still issued and due: a second run changes nothing. */
async function expireOne(ctx: JobContext, claimId: string, memberId: string): Promise<number> {
  const result = await askMember(ctx, memberId, (object, call) => object.expireCoupon(call, claimId));
  if (!result.expired) return 0;
  if (result.reservationId) {
    const claim = await readClaim(ctx.db, ctx.programId, claimId);
    if (claim) await rewardStockOf(ctx.env, ctx.programId, claim.rewardId).giveBack(result.reservationId);
  }
  return 1;
}

export const expireCoupons: Job = async (ctx) => {
  const failed = new Set<string>();
  for (;;) {
    if (!hasBudget(ctx.budget)) break;
    // Expired coupons leave the index, so every page starts at the front; one that failed is left for the next run.
    const page = (await expiredCoupons(ctx.db, ctx.programId, ctx.now, ctx.budget.batchSize + failed.size)).filter((c) => !failed.has(c.id));
    if (page.length === 0) break;
    spendBatch(ctx.budget);
    const byMember = new Map<string, string[]>();
    for (const coupon of page) byMember.set(coupon.memberId, [...(byMember.get(coupon.memberId) ?? []), coupon.id]);
    const failedMembers = await forEachMember(ctx, [...byMember.keys()], async (memberId) => {
      let done = 0;
      for (const id of byMember.get(memberId)!) done += await expireOne(ctx, id, memberId);
      return done;
    });
    for (const memberId of failedMembers) for (const id of byMember.get(memberId)!) failed.add(id);
  }
  const left = await expiredCoupons(ctx.db, ctx.programId, ctx.now, 10_000);
  return { left: left.length };
};

/**
 * Job: every reward's stock object settles the reservations that lapsed
 * unconfirmed, against D1 (the object's alarm does the same on its own; this
 * catches an alarm that was missed, and lets an operator run it now).
 */
export const reconcileRewardStock: Job = async (ctx) => {
  const rewards = (await listRewards(ctx.db, ctx.programId)).filter(usesStockObject);
  for (const reward of rewards) {
    const stock = rewardStockOf(ctx.env, ctx.programId, reward.id);
    // Counting also records the reward's current stock in the object before it reconciles.
    await stock.counts(stockIdentity(ctx.programId, reward));
    const { confirmed, released } = await stock.reconcile(ctx.now.getTime());
    ctx.tally.done += confirmed + released;
  }
  return { left: 0 };
};
