// The imports router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./imports.handlers";
import * as routes from "./imports.routes";

export const importsRouter = createRouter()
  .openapi(routes.createImport, handlers.createImport)
  .openapi(routes.listImports, handlers.listImports)
  .openapi(routes.getImport, handlers.getImport);
