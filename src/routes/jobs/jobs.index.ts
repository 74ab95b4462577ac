// The jobs router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./jobs.handlers";
import * as routes from "./jobs.routes";

export const jobsRouter = createRouter().openapi(routes.listJobs, handlers.listJobs).openapi(routes.runJob, handlers.runJob);
