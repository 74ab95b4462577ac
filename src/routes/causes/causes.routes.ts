// Route declarations for causes and the donations they receive (no logic here).
import { AUDITED } from "../../audit/audit";
import { createRoute, z } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonBody, jsonResponse } from "../../app/openapi";
import { CauseBody, CauseIdParam, CauseListSchema, CauseSchema, DonationsQuery, DonationsSchema, UpdateCauseBody } from "./causes.schemas";

const tags = ["Causes"];

export const createCause = createRoute({
  method: "post",
  path: "/v1/causes",
  operationId: "createCause",
  ...AUDITED,
  summary: "Add a good cause that donation rewards give to",
  description: "Adds a good cause that donation rewards can give points to.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { body: jsonBody(CauseBody) },
  responses: { 201: jsonResponse(CauseSchema, "Created."), ...errorResponses },
});

export const listCauses = createRoute({
  method: "get",
  path: "/v1/causes",
  operationId: "listCauses",
  summary: "The program's causes, oldest first",
  description: "The program's causes, oldest first.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  responses: { 200: jsonResponse(CauseListSchema, "Every cause, archived ones included."), ...errorResponses },
});

export const getCause = createRoute({
  method: "get",
  path: "/v1/causes/{id}",
  operationId: "getCause",
  summary: "One cause",
  description: "A cause by id: its name, description, link and status.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: CauseIdParam },
  responses: { 200: jsonResponse(CauseSchema, "The cause."), ...errorResponses },
});

export const updateCause = createRoute({
  method: "patch",
  path: "/v1/causes/{id}",
  operationId: "updateCause",
  ...AUDITED,
  summary: "Change a cause's name, description or link",
  description: "A merge patch of the cause: fields left out stay as they are.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: CauseIdParam, body: jsonBody(UpdateCauseBody) },
  responses: { 200: jsonResponse(CauseSchema, "Updated."), ...errorResponses },
});

export const archiveCause = createRoute({
  method: "post",
  path: "/v1/causes/{id}/archive",
  operationId: "archiveCause",
  ...AUDITED,
  summary: "Archive a cause",
  description: "No new donation reward may name it; its donations stay, and rewards that name it keep taking claims until archived themselves.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: CauseIdParam },
  responses: { 200: jsonResponse(CauseSchema, "Archived."), ...errorResponses },
});

export const listCauseDonations = createRoute({
  method: "get",
  path: "/v1/causes/{id}/donations",
  operationId: "listCauseDonations",
  summary: "What the cause received, per settlement period (JSON, or CSV with Accept: text/csv or ?format=csv)",
  description: "Each donation claim counts in the settlement period it was claimed in (the next open one when that one had closed): the total of a period is what to transfer to the cause for it.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: CauseIdParam, query: DonationsQuery },
  responses: {
    200: {
      description: "Donations per period.",
      content: { "application/json": { schema: DonationsSchema }, "text/csv": { schema: z.string() } },
    },
    ...errorResponses,
  },
});

export type CreateCauseRoute = typeof createCause;
export type ListCausesRoute = typeof listCauses;
export type GetCauseRoute = typeof getCause;
export type UpdateCauseRoute = typeof updateCause;
export type ArchiveCauseRoute = typeof archiveCause;
export type ListCauseDonationsRoute = typeof listCauseDonations;
