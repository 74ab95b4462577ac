// The tiers router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./tiers.handlers";
import * as routes from "./tiers.routes";

export const tiersRouter = createRouter().openapi(routes.setTier, handlers.setTier);
