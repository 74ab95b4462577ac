// The members router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./members.handlers";
import * as routes from "./members.routes";

export const membersRouter = createRouter()
  .openapi(routes.enrollMember, handlers.enrollMember)
  .openapi(routes.getMember, handlers.getMember)
  .openapi(routes.accrue, handlers.accrue)
  .openapi(routes.getBalance, handlers.getBalance)
  .openapi(routes.redeem, handlers.redeem)
  .openapi(routes.refund, handlers.refund)
  .openapi(routes.listTransactions, handlers.listTransactions);
