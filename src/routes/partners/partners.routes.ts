// Route declarations for a coalition program's partner brands (no logic here).
import { createRoute, z } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonBody, jsonResponse } from "../../app/openapi";
import { CreatePartnerBody, PartnerSchema } from "./partners.schemas";

export const createPartner = createRoute({
  method: "post",
  path: "/v1/partners",
  operationId: "createPartner",
  summary: "Add a partner brand",
  tags: ["Partners"],
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { body: jsonBody(CreatePartnerBody) },
  responses: { 201: jsonResponse(PartnerSchema, "Created."), ...errorResponses },
});

export const listPartners = createRoute({
  method: "get",
  path: "/v1/partners",
  operationId: "listPartners",
  summary: "The program's partner brands",
  tags: ["Partners"],
  security: bearer,
  middleware: [requireKey("admin")] as const,
  responses: { 200: jsonResponse(z.object({ data: z.array(PartnerSchema) }), "All partners."), ...errorResponses },
});

export type CreatePartnerRoute = typeof createPartner;
export type ListPartnersRoute = typeof listPartners;
