// The router of /v1/me: everything under it takes a member token, never a program key, and reaches only the token's member.
//
// Its middleware (CORS, the token, the rate limits) runs for every path under /v1/me, so a route added here
// is guarded by the token without saying so; it states its scope (`middleware: [requireScope("claim")]`,
// `security: memberTokenSecurity`) and reads the member from `c.get("member").memberId`. Another feature's
// member-facing route is one more `.openapi(route, handler)` line below.
import { createRouter } from "../../app/create-app";
import { memberCors, memberToken } from "../../app/member-auth";
import * as handlers from "./me.handlers";
import * as routes from "./me.routes";

export const meRouter = createRouter();
meRouter.use("/v1/me/*", memberCors(), memberToken());
meRouter
  .openapi(routes.getMe, handlers.getMe)
  .openapi(routes.getMyBalance, handlers.getMyBalance)
  .openapi(routes.listMyHistory, handlers.listMyHistory)
  .openapi(routes.getMyCard, handlers.getMyCard)
  .openapi(routes.listMyRewards, handlers.listMyRewards)
  .openapi(routes.claimMyReward, handlers.claimMyReward)
  .openapi(routes.listMyCoupons, handlers.listMyCoupons)
  .openapi(routes.getMyOffers, handlers.getMyOffers)
  .openapi(routes.getMyReferral, handlers.getMyReferral)
  .openapi(routes.getMyBenefits, handlers.getMyBenefits);
