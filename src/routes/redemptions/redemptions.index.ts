// The redemptions router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./redemptions.handlers";
import * as routes from "./redemptions.routes";

export const redemptionsRouter = createRouter()
  .openapi(routes.getRedemption, handlers.getRedemption)
  .openapi(routes.captureRedemption, handlers.captureRedemption)
  .openapi(routes.cancelRedemption, handlers.cancelRedemption);
