// The KPIs router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./kpis.handlers";
import * as routes from "./kpis.routes";

export const kpisRouter = createRouter()
  .openapi(routes.getCohorts, handlers.getCohorts)
  .openapi(routes.putAcquisitionCost, handlers.putAcquisitionCost)
  .openapi(routes.listAcquisitionCosts, handlers.listAcquisitionCosts)
  .openapi(routes.getKpis, handlers.getKpis);
