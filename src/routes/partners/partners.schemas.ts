// Request and response schemas of the partner routes.
import { z } from "@hono/zod-openapi";

export const PartnerSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string() }).openapi("Partner");
export const CreatePartnerBody = z.object({ name: z.string().min(1).max(100).openapi({ example: "Nordbahn Rail" }) }).strict().openapi("CreatePartner");
