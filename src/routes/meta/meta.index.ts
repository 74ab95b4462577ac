// The meta router: health, liveness and the reference page (the OpenAPI document is served by build-app).
import { createRouter } from "../../app/create-app";
import * as handlers from "./meta.handlers";
import * as routes from "./meta.routes";

export const metaRouter = createRouter()
  .openapi(routes.ping, handlers.ping)
  .openapi(routes.health, handlers.health)
  .get("/docs", handlers.docs);
