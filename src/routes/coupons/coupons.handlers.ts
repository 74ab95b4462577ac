// Coupon handlers: find a coupon by its code (throttled for unknown codes), use it once, or cancel it through its member's object.
import type { Context } from "hono";
import { resumeAfter, sealedPage } from "../../app/pages";
import { ledgerCall, memberLedger, respond } from "../../app/ledger-client";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { ApiError } from "../../lib/errors";
import { hasValidCheck, normalizeCode } from "../../rewards/codes";
import { memberCouponPage } from "../../rewards/member-rewards";
import { rewardStockOf } from "../../rewards/stock-object";
import { countMiss, isThrottled, THROTTLE_PERIOD_MS } from "../../rewards/throttle";
import type { ClaimRecord } from "../../rewards/types";
import { couponView } from "../../rewards/views";
import { claimByCode, readClaim, useCoupon } from "./coupons.queries";
import type { CancelCouponRoute, GetCouponRoute, ListMemberCouponsRoute, RedeemCouponRoute } from "./coupons.routes";

function throttled(c: Context<AppEnv>): ApiError {
  c.header("Retry-After", String(THROTTLE_PERIOD_MS / 1000));
  return new ApiError("too_many_coupon_lookups", "Too many look-ups of unknown coupon codes by this key; retry later.");
}

/** The coupon of a code as typed, or the refusal that says whether it was mistyped or unknown. */
async function findCoupon(c: Context<AppEnv>, typed: string): Promise<ClaimRecord> {
  const { keyId, programId } = c.get("principal");
  const now = Date.now();
  if (isThrottled(keyId, now)) throw throttled(c);
  const asTyped = typed.trim().toUpperCase();
  const read = normalizeCode(typed);
  const claim = await claimByCode(database(c.env.DB), programId, [...new Set([asTyped, ...(read ? [read] : [])])]);
  if (claim) return claim;
  if (await countMiss(c.env.COUPON_LOOKUPS, keyId, now)) throw throttled(c);
  if (read && !hasValidCheck(read)) throw new ApiError("coupon_code_invalid", "The code's check character does not fit: it was probably mistyped.");
  throw new ApiError("coupon_not_found", "No coupon of this code in this program.");
}

export const getCoupon: AppRouteHandler<GetCouponRoute> = async (c) => {
  const claim = await findCoupon(c, c.req.valid("param").code);
  return c.json(couponView(claim, new Date()), 200);
};

export const redeemCoupon: AppRouteHandler<RedeemCouponRoute> = async (c) => {
  const claim = await findCoupon(c, c.req.valid("param").code);
  const { orderId } = c.req.valid("json");
  const now = new Date();
  const used = await useCoupon(database(c.env.DB), c.get("principal").programId, claim.id, orderId, now);
  if (used) return c.json(couponView(used, now), 200);
  // Someone else changed it first (or it was not usable): say what it is now.
  const current = (await readClaim(database(c.env.DB), c.get("principal").programId, claim.id)) ?? claim;
  if (current.status === "used" && current.orderId === orderId) {
    c.header("Idempotent-Replayed", "true");
    return c.json(couponView(current, now), 200);
  }
  if (current.status === "used") throw new ApiError("coupon_already_used", "The coupon has been used.", { usedAt: current.usedAt });
  if (current.status === "cancelled") throw new ApiError("coupon_cancelled", "The coupon was cancelled.");
  throw new ApiError("coupon_expired", `The coupon expired at ${current.expiresAt}.`);
};

export const cancelCoupon: AppRouteHandler<CancelCouponRoute> = async (c) => {
  const { code } = c.req.valid("param");
  const claim = await findCoupon(c, code);
  const call = await ledgerCall(c, claim.memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: claim.id, body: null });
  const reply = await memberLedger(c, claim.memberId).cancelCoupon(call, claim.id);
  // The unit comes back to stock (once, whatever the retries): the reward's object knows it by its reservation.
  if (reply.ok && claim.reservationId) await rewardStockOf(c.env, call.programId, claim.rewardId).giveBack(claim.reservationId);
  return respond(c, reply);
};

export const listMemberCoupons: AppRouteHandler<ListMemberCouponsRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const { limit, cursor } = c.req.valid("query");
  const scope = ["member-coupons", c.get("principal").programId, memberId] as const;
  const page = await memberCouponPage(c, memberId, limit, await resumeAfter(c, scope, cursor));
  return c.json(await sealedPage(c, scope, page), 200);
};
