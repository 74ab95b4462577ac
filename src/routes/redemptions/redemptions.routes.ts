// Route declarations for redemptions by their id (no logic here).
import { createRoute } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, IdempotencyHeader, jsonResponse } from "../../app/openapi";
import { RedemptionSchema, RedemptionWithBalanceSchema } from "../../app/schemas";
import { RedemptionIdParam } from "./redemptions.schemas";

const tags = ["Redemptions"];

export const getRedemption = createRoute({
  method: "get",
  path: "/v1/redemptions/{id}",
  operationId: "getRedemption",
  summary: "One redemption",
  description: "A redemption by id: its points and their value, its status (`held`, `captured`, `cancelled`, `lapsed`, `reversed`) and, while held, when the hold lapses (`holdExpiresAt`).",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server", "partner")] as const,
  request: { params: RedemptionIdParam },
  responses: { 200: jsonResponse(RedemptionSchema, "The redemption."), ...errorResponses },
});

export const captureRedemption = createRoute({
  method: "post",
  path: "/v1/redemptions/{id}/capture",
  operationId: "captureRedemption",
  summary: "Capture a held redemption",
  description: "Only a live hold can be captured: a lapsed, cancelled or captured one is a 409.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server", "partner")] as const,
  request: { params: RedemptionIdParam, headers: IdempotencyHeader },
  responses: { 200: jsonResponse(RedemptionWithBalanceSchema, "Captured."), ...errorResponses },
});

export const cancelRedemption = createRoute({
  method: "post",
  path: "/v1/redemptions/{id}/cancel",
  operationId: "cancelRedemption",
  summary: "Cancel a hold, or reverse a captured redemption",
  description: "Points go back to the lots they came from; points of a lot that expired meanwhile come back expired.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server", "partner")] as const,
  request: { params: RedemptionIdParam, headers: IdempotencyHeader },
  responses: { 200: jsonResponse(RedemptionWithBalanceSchema, "Cancelled or reversed."), ...errorResponses },
});

export type GetRedemptionRoute = typeof getRedemption;
export type CaptureRedemptionRoute = typeof captureRedemption;
export type CancelRedemptionRoute = typeof cancelRedemption;
