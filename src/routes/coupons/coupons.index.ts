// The coupons router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./coupons.handlers";
import * as routes from "./coupons.routes";

export const couponsRouter = createRouter()
  .openapi(routes.getCoupon, handlers.getCoupon)
  .openapi(routes.redeemCoupon, handlers.redeemCoupon)
  .openapi(routes.cancelCoupon, handlers.cancelCoupon)
  .openapi(routes.listMemberCoupons, handlers.listMemberCoupons);
