// The memberships router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./memberships.handlers";
import * as routes from "./memberships.routes";

export const membershipsRouter = createRouter()
  .openapi(routes.createMembershipPlan, handlers.createMembershipPlan)
  .openapi(routes.listMembershipPlans, handlers.listMembershipPlans)
  .openapi(routes.getMembershipPlan, handlers.getMembershipPlan)
  .openapi(routes.updateMembershipPlan, handlers.updateMembershipPlan)
  .openapi(routes.archiveMembershipPlan, handlers.archiveMembershipPlan)
  .openapi(routes.startMembership, handlers.startMembership)
  .openapi(routes.listMemberships, handlers.listMemberships)
  .openapi(routes.renewMembership, handlers.renewMembership)
  .openapi(routes.cancelMembership, handlers.cancelMembership)
  .openapi(routes.getBenefits, handlers.getBenefits);
