// Partner brands of a coalition program (admin keys).
import { createRoute, z } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import { requireKey } from "../../app/auth";
import { createRouter } from "../../app/create-app";
import { bearer, errorResponses, jsonBody, jsonResponse } from "../../app/openapi";
import type { AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { partners } from "../../db/schema";
import { classifyCommitError } from "../../members/store";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";

const PartnerSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string() }).openapi("Partner");
const CreatePartnerBody = z.object({ name: z.string().min(1).max(100).openapi({ example: "Nordbahn Rail" }) }).strict().openapi("CreatePartner");

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

const createHandler: AppRouteHandler<typeof createPartner> = async (c) => {
  const { name } = c.req.valid("json");
  const row = { id: newId("ptr"), programId: c.get("principal").programId, name, createdAt: new Date().toISOString() };
  try {
    await database(c.env.DB).insert(partners).values(row);
  } catch (error) {
    if (classifyCommitError(error) === "constraint") throw new ApiError("partner_exists", `A partner named '${name}' exists.`);
    throw error;
  }
  return c.json({ id: row.id, name: row.name, createdAt: row.createdAt }, 201);
};

const listHandler: AppRouteHandler<typeof listPartners> = async (c) => {
  const rows = await database(c.env.DB)
    .select({ id: partners.id, name: partners.name, createdAt: partners.createdAt })
    .from(partners)
    .where(eq(partners.programId, c.get("principal").programId))
    .orderBy(asc(partners.name));
  return c.json({ data: rows }, 200);
};

export const partnersRouter = createRouter().openapi(createPartner, createHandler).openapi(listPartners, listHandler);
