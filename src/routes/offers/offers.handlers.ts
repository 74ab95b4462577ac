// Offer handlers: the member's offers, computed by src/offers.
import type { AppRouteHandler } from "../../app/types";
import { memberOffers } from "../../offers/member-offers";
import type { GetMemberOffersRoute } from "./offers.routes";

export const getMemberOffers: AppRouteHandler<GetMemberOffersRoute> = async (c) => {
  return c.json(await memberOffers(c, c.req.valid("param").memberId), 200);
};
