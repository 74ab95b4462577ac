// The settlements router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./settlements.handlers";
import * as routes from "./settlements.routes";

export const settlementsRouter = createRouter()
  .openapi(routes.getSettlement, handlers.getSettlement)
  .openapi(routes.closeSettlement, handlers.closeSettlement)
  .openapi(routes.partnerTransactions, handlers.partnerTransactions);
