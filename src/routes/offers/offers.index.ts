// The offers router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./offers.handlers";
import * as routes from "./offers.routes";

export const offersRouter = createRouter().openapi(routes.getMemberOffers, handlers.getMemberOffers);
