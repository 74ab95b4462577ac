// The causes router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./causes.handlers";
import * as routes from "./causes.routes";

export const causesRouter = createRouter()
  .openapi(routes.createCause, handlers.createCause)
  .openapi(routes.listCauses, handlers.listCauses)
  .openapi(routes.getCause, handlers.getCause)
  .openapi(routes.updateCause, handlers.updateCause)
  .openapi(routes.archiveCause, handlers.archiveCause)
  .openapi(routes.listCauseDonations, handlers.listCauseDonations);
