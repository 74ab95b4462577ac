// The adjustments router: joins the route declaration to its handler.
import { createRouter } from "../../app/create-app";
import * as handlers from "./adjustments.handlers";
import * as routes from "./adjustments.routes";

export const adjustmentsRouter = createRouter().openapi(routes.createAdjustment, handlers.createAdjustment);
