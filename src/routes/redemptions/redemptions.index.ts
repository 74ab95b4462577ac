// Capture and cancel a redemption by its id; the member's object does the work.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { requireKey } from "../../app/auth";
import { createRouter } from "../../app/create-app";
import { ledgerCall, memberLedger, notFound, respond } from "../../app/ledger-client";
import { bearer, errorResponses, IdempotencyHeader, jsonResponse } from "../../app/openapi";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { redemptions } from "../../db/schema";
import { redemptionView } from "../../members/views";
import { RedemptionSchema, RedemptionWithBalanceSchema } from "../../app/schemas";

const tags = ["Redemptions"];
const RedemptionIdParam = z.object({
  id: z
    .string()
    .regex(/^red_[0-9A-Z]{26}$/, "a redemption id")
    .openapi({ param: { name: "id", in: "path" }, example: "red_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }),
});

export const getRedemption = createRoute({
  method: "get",
  path: "/v1/redemptions/{id}",
  operationId: "getRedemption",
  summary: "One redemption",
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

/** The redemption in the caller's program (and, for a partner key, of that partner), or a 404. */
async function findRedemption(c: Context<AppEnv>, id: string) {
  const { programId, partnerId } = c.get("principal");
  const [row] = await database(c.env.DB)
    .select()
    .from(redemptions)
    .where(and(eq(redemptions.programId, programId), eq(redemptions.id, id)));
  if (!row || (partnerId && row.partnerId !== partnerId)) throw notFound("redemption_not_found", id);
  return row;
}

const getHandler: AppRouteHandler<typeof getRedemption> = async (c) => {
  const row = await findRedemption(c, c.req.valid("param").id);
  return c.json(redemptionView(row), 200);
};

function transition(action: "capture" | "cancel"): AppRouteHandler<typeof captureRedemption> {
  return async (c) => {
    const { id } = c.req.valid("param");
    const { memberId } = await findRedemption(c, id);
    const call = await ledgerCall(c, memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: id, body: null });
    return respond(c, await memberLedger(c, memberId)[action](call, id));
  };
}

export const redemptionsRouter = createRouter()
  .openapi(getRedemption, getHandler)
  .openapi(captureRedemption, transition("capture"))
  .openapi(cancelRedemption, transition("cancel"));
