// The referrals router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./referrals.handlers";
import * as routes from "./referrals.routes";

export const referralsRouter = createRouter()
  .openapi(routes.getReferralCode, handlers.getReferralCode)
  .openapi(routes.listMemberReferrals, handlers.listMemberReferrals)
  .openapi(routes.listReferrals, handlers.listReferrals);
