// The keys router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./keys.handlers";
import * as routes from "./keys.routes";

export const keysRouter = createRouter()
  .openapi(routes.createProgramKey, handlers.createProgramKey)
  .openapi(routes.listProgramKeys, handlers.listProgramKeys)
  .openapi(routes.revokeProgramKey, handlers.revokeProgramKey);
