// Request and answer schemas of the coupon routes (shared with the reward routes in src/rewards/schemas).
export { ClaimWithBalanceSchema, CouponCodeParam, CouponPageSchema, CouponSchema, RedeemCouponBody } from "../../rewards/schemas";
export { MemberIdParam, PaginationQuery } from "../../app/openapi";
