// The member tokens router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./tokens.handlers";
import * as routes from "./tokens.routes";

export const tokensRouter = createRouter()
  .openapi(routes.issueMemberToken, handlers.issueMemberToken)
  .openapi(routes.revokeMemberTokens, handlers.revokeMemberTokens)
  .openapi(routes.rotateTokenKey, handlers.rotateTokenKey);
