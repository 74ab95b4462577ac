// The partners router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./partners.handlers";
import * as routes from "./partners.routes";

export const partnersRouter = createRouter()
  .openapi(routes.createPartner, handlers.createPartner)
  .openapi(routes.listPartners, handlers.listPartners)
  .openapi(routes.putTerms, handlers.putTerms)
  .openapi(routes.listTerms, handlers.listTerms);
