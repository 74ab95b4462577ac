// Request and answer schemas of the offer routes.
export { MemberIdParam } from "../../app/openapi";
export { OfferListSchema } from "../../offers/schemas";
