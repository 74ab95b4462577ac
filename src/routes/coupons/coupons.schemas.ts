// Request and answer schemas of the coupon routes (shared with the reward routes in src/rewards/schemas).
export { ClaimWithBalanceSchema, CouponCodeParam, CouponSchema, RedeemCouponBody } from "../../rewards/schemas";
