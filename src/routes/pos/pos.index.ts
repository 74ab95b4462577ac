// The point-of-sale router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./pos.handlers";
import * as routes from "./pos.routes";

export const posRouter = createRouter().openapi(routes.scanCard, handlers.scanCard);
