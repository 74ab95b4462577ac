// The activities router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./activities.handlers";
import * as routes from "./activities.routes";

export const activitiesRouter = createRouter()
  .openapi(routes.recordActivity, handlers.recordActivity)
  .openapi(routes.listActivities, handlers.listActivities)
  .openapi(routes.confirmActivity, handlers.confirmActivity)
  .openapi(routes.rejectActivity, handlers.rejectActivity);
