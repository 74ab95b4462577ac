// Route declarations for tiers granted by hand (no logic here).
import { AUDITED } from "../../audit/audit";
import { createRoute } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, MemberIdParam } from "../../app/openapi";
import { MemberTierSchema, SetTierBody } from "./tiers.schemas";

export const setTier = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/tier",
  operationId: "setTier",
  ...AUDITED,
  summary: "Grant a tier by hand, optionally until a date",
  description:
    "Writes a `tier` entry and a `tier.changed` event. A retry with the same Idempotency-Key and body replays this answer (header `Idempotent-Replayed: true`).",
  tags: ["Members"],
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam, headers: IdempotencyHeader, body: jsonBody(SetTierBody) },
  responses: { 200: jsonResponse(MemberTierSchema, "The member's tier now."), ...errorResponses },
});

export type SetTierRoute = typeof setTier;
