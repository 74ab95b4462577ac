// Request and response schemas of the partner routes (the terms body is shared, in app/schemas).
import { z } from "@hono/zod-openapi";
import { TermsBody } from "../../app/schemas";

export const PartnerSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string() }).openapi("Partner");
export const CreatePartnerBody = z.object({ name: z.string().min(1).max(100).openapi({ example: "Nordbahn Rail" }) }).strict().openapi("CreatePartner");

export const PartnerParam = z.object({
  partnerId: z.string().regex(/^ptr_[0-9A-Z]{26}$/, "a partner id").openapi({ param: { name: "partnerId", in: "path" } }),
});

// Spread, not extend: extending the closed request schema would publish an allOf that no answer can satisfy.
export const TermsSchema = z.object({ ...TermsBody.shape, partnerId: z.string(), createdAt: z.string() }).openapi("PartnerTermsVersion");
