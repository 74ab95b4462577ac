// Route declarations for a member's personalised offers (no logic here).
import { createRoute } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonResponse } from "../../app/openapi";
import { MemberIdParam, OfferListSchema } from "./offers.schemas";

export const getMemberOffers = createRoute({
  method: "get",
  path: "/v1/members/{memberId}/offers",
  operationId: "getMemberOffers",
  summary: "What applies to this member now, ranked, with the reason each is shown",
  description:
    "Rewards the member may claim or could claim with more points (rewards restricted to segments only when the member is in one of them; a reward barred by tier, limit, stock or window is not shown), and the campaign rules in force whose member conditions (tier, segments, attributes, first order, time, the member's limits) hold now; conditions on the order itself are stated in the reasons.",
  tags: ["Offers"],
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam },
  responses: { 200: jsonResponse(OfferListSchema, "The member's offers."), ...errorResponses },
});

export type GetMemberOffersRoute = typeof getMemberOffers;
