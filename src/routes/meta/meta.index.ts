// The meta router: health, liveness and the reference page with its embedded assets (the OpenAPI document is served by build-app).
import { createRouter } from "../../app/create-app";
import { REFERENCE_CSS_PATH, REFERENCE_SCRIPT_PATH } from "./docs-page";
import * as handlers from "./meta.handlers";
import * as routes from "./meta.routes";

export const metaRouter = createRouter()
  .openapi(routes.ping, handlers.ping)
  .openapi(routes.health, handlers.health)
  .get("/docs", handlers.docs)
  .get(REFERENCE_SCRIPT_PATH, handlers.referenceScript)
  .get(REFERENCE_CSS_PATH, handlers.referenceCss);
