// The orders router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./orders.handlers";
import * as routes from "./orders.routes";

export const ordersRouter = createRouter().openapi(routes.recordOrder, handlers.recordOrder).openapi(routes.refundOrder, handlers.refundOrder);
