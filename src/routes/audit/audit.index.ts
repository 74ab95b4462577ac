// The audit log router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./audit.handlers";
import * as routes from "./audit.routes";

export const auditRouter = createRouter().openapi(routes.listAuditLog, handlers.listAuditLog);
