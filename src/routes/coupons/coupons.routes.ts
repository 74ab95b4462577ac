// Route declarations for the storefront's checkout: look a coupon up, use it, cancel it (no logic here).
import { createRoute } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, IdempotencyHeader, jsonBody, jsonResponse } from "../../app/openapi";
import { ClaimWithBalanceSchema, CouponCodeParam, CouponPageSchema, CouponSchema, MemberIdParam, PaginationQuery, RedeemCouponBody } from "./coupons.schemas";

const tags = ["Coupons"];
const lookupNote =
  "The code is read as Crockford base32 (case, hyphens, O for 0 and I or L for 1 do not matter). A code whose check character does not fit is a 422 `coupon_code_invalid` (mistyped); an unknown one a 404 `coupon_not_found`. Too many unknown codes from one key: 429 `too_many_coupon_lookups` for a minute.";

export const getCoupon = createRoute({
  method: "get",
  path: "/v1/coupons/{code}",
  operationId: "getCoupon",
  summary: "Whether a coupon is valid, and what it gives",
  description: lookupNote,
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: CouponCodeParam },
  responses: { 200: jsonResponse(CouponSchema, "The coupon; `valid` says whether the checkout may apply it now."), ...errorResponses },
});

export const redeemCoupon = createRoute({
  method: "post",
  path: "/v1/coupons/{code}/redeem",
  operationId: "redeemCoupon",
  summary: "Use a coupon on an order, once",
  description: `Of any number of uses, racing or not, one succeeds: the others get a 409 \`coupon_already_used\` (\`coupon_expired\`, \`coupon_cancelled\`). The same order again answers the use as it was. ${lookupNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: CouponCodeParam, body: jsonBody(RedeemCouponBody) },
  responses: { 200: jsonResponse(CouponSchema, "Used."), ...errorResponses },
});

export const cancelCoupon = createRoute({
  method: "post",
  path: "/v1/coupons/{code}/cancel",
  operationId: "cancelCoupon",
  summary: "Cancel an unused coupon: its points go back to the lots they came from",
  description: `The claim's redemption is reversed, and a unit of stock comes back. A used coupon is a 409 \`coupon_already_used\`. A retry with the same Idempotency-Key replays the first answer. ${lookupNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: CouponCodeParam, headers: IdempotencyHeader },
  responses: { 200: jsonResponse(ClaimWithBalanceSchema, "Cancelled."), ...errorResponses },
});

export const listMemberCoupons = createRoute({
  method: "get",
  path: "/v1/members/{memberId}/coupons",
  operationId: "listMemberCoupons",
  summary: "A member's coupons, newest first",
  description: "Every coupon the member's claims issued, whatever its status (`valid` says whether a checkout may apply it now). Donations issue none.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam, query: PaginationQuery },
  responses: { 200: jsonResponse(CouponPageSchema, "One page of coupons."), ...errorResponses },
});

export type GetCouponRoute = typeof getCoupon;
export type ListMemberCouponsRoute = typeof listMemberCoupons;
export type RedeemCouponRoute = typeof redeemCoupon;
export type CancelCouponRoute = typeof cancelCoupon;
