// Route declarations for manual adjustments (no logic here).
import { AUDITED } from "../../audit/audit";
import { createRoute } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, MemberIdParam } from "../../app/openapi";
import { AdjustmentBody, AdjustmentResultSchema } from "./adjustments.schemas";

export const createAdjustment = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/adjustments",
  operationId: "createAdjustment",
  ...AUDITED,
  summary: "Credit or debit a member's points by hand (customer service)",
  description:
    "A credit is a new lot (paying debt first); a debit takes points soonest-expiring first and is refused with `insufficient_points` rather than make debt. " +
    "Written as an `adjust` entry with the reason and the admin key's id, and a `points.adjusted` webhook event. A retry with the same Idempotency-Key and body replays the answer.",
  tags: ["Members"],
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: MemberIdParam, headers: IdempotencyHeader, body: jsonBody(AdjustmentBody) },
  responses: { 201: jsonResponse(AdjustmentResultSchema, "Adjusted."), ...errorResponses },
});

export type CreateAdjustmentRoute = typeof createAdjustment;
