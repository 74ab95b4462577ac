// Route declarations for guests' orders (no logic here).
import { createRoute } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, IdempotencyHeader, jsonBody, jsonResponse } from "../../app/openapi";
import { GuestOrderBody, GuestOrderResultSchema } from "../../app/schemas";
import { GuestRefundBody, GuestRefundResultSchema, OrderIdParam } from "./orders.schemas";

const tags = ["Orders"];
const replayNote = "A retry with the same Idempotency-Key and body replays this answer (header `Idempotent-Replayed: true`).";

export const recordOrder = createRoute({
  method: "post",
  path: "/v1/orders",
  operationId: "recordOrder",
  summary: "Record an order of a guest or non-member (earns nothing; counts in the KPIs)",
  description: `So the KPIs can compare members with everyone else. A member's accrual is counted as an order already: do not post it here too. An orderId is recorded once per issuer, as a guest's order or a member's accrual: a second is a 409 \`order_already_recorded\`. ${replayNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("server", "partner")] as const,
  request: { headers: IdempotencyHeader, body: jsonBody(GuestOrderBody) },
  responses: { 201: jsonResponse(GuestOrderResultSchema, "Recorded."), ...errorResponses },
});

export const refundOrder = createRoute({
  method: "post",
  path: "/v1/orders/{orderId}/refunds",
  operationId: "refundGuestOrder",
  summary: "Refund part or all of a guest's order (reduces revenue)",
  description: `Refunds of members' orders go through POST /v1/members/{memberId}/refunds, which also claws the points back; here they are a 404. The refund counts on the day it is recorded. ${replayNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("server", "partner")] as const,
  request: { params: OrderIdParam, headers: IdempotencyHeader, body: jsonBody(GuestRefundBody) },
  responses: { 201: jsonResponse(GuestRefundResultSchema, "Refunded."), ...errorResponses },
});

export type RecordOrderRoute = typeof recordOrder;
export type RefundOrderRoute = typeof refundOrder;
