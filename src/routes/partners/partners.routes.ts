// Route declarations for a coalition program's partner brands and their terms (no logic here).
import { AUDITED } from "../../audit/audit";
import { createRoute, z } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonBody, jsonResponse } from "../../app/openapi";
import { TermsBody } from "../../app/schemas";
import { CreatePartnerBody, PartnerParam, PartnerSchema, TermsSchema } from "./partners.schemas";

export const createPartner = createRoute({
  method: "post",
  path: "/v1/partners",
  operationId: "createPartner",
  ...AUDITED,
  summary: "Add a partner brand",
  description: "Adds a partner brand to the program. Its accruals are then attributed to it and settled by its terms; create a `partner` key for it with POST /v1/keys.",
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
  description: "Every partner brand of the program, oldest first.",
  tags: ["Partners"],
  security: bearer,
  middleware: [requireKey("admin")] as const,
  responses: { 200: jsonResponse(z.object({ data: z.array(PartnerSchema) }), "All partners."), ...errorResponses },
});

// Terms are published under the Settlement tag, where they are used.
const termsTags = ["Settlement"];

export const putTerms = createRoute({
  method: "put",
  path: "/v1/partners/{partnerId}/terms",
  operationId: "setPartnerTerms",
  ...AUDITED,
  summary: "Set a partner's prices from a period on",
  description: "Terms are versioned by the period they apply from; a closed period's terms never change.",
  tags: termsTags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: PartnerParam, body: jsonBody(TermsBody) },
  responses: { 200: jsonResponse(TermsSchema, "Stored."), ...errorResponses },
});

export const listTerms = createRoute({
  method: "get",
  path: "/v1/partners/{partnerId}/terms",
  operationId: "listPartnerTerms",
  summary: "A partner's terms, every version",
  description: "Every version of the partner's terms (what a point costs it, from when), oldest first; settlement uses the version in force at each entry's time.",
  tags: termsTags,
  security: bearer,
  middleware: [requireKey("admin", "partner")] as const,
  request: { params: PartnerParam },
  responses: { 200: jsonResponse(z.object({ data: z.array(TermsSchema) }), "Newest first."), ...errorResponses },
});

export type CreatePartnerRoute = typeof createPartner;
export type ListPartnersRoute = typeof listPartners;
export type PutTermsRoute = typeof putTerms;
export type ListTermsRoute = typeof listTerms;
