// The segments router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./segments.handlers";
import * as routes from "./segments.routes";

export const segmentsRouter = createRouter()
  .openapi(routes.createSegment, handlers.createSegment)
  .openapi(routes.listSegments, handlers.listSegments)
  .openapi(routes.getSegment, handlers.getSegment)
  .openapi(routes.updateSegment, handlers.updateSegment)
  .openapi(routes.deleteSegment, handlers.deleteSegment)
  .openapi(routes.listSegmentMembers, handlers.listSegmentMembers)
  .openapi(routes.getMemberSegments, handlers.getMemberSegments);
