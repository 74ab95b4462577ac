// The coupon routes' reads and the one conditional write of a use (cancels go through the member's object).
export { claimByCode, readClaim, useCoupon } from "../../rewards/queries";
