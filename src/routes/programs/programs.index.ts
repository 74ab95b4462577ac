// The programs router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./programs.handlers";
import * as routes from "./programs.routes";

export const programsRouter = createRouter()
  .openapi(routes.createProgram, handlers.createProgram)
  .openapi(routes.createKey, handlers.createKey)
  .openapi(routes.getProgram, handlers.getProgram)
  .openapi(routes.updateProgram, handlers.updateProgram);
