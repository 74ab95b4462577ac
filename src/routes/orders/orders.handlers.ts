// Guest order handlers: validate, record through src/kpis/guest-orders, answer.
import { FUTURE_SKEW_MS } from "../../app/clock";
import { ledgerCall, respond } from "../../app/ledger-client";
import type { AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { recordGuestOrder, refundGuestOrder } from "../../kpis/guest-orders";
import { ApiError } from "../../lib/errors";
import type { RecordOrderRoute, RefundOrderRoute } from "./orders.routes";

export const recordOrder: AppRouteHandler<RecordOrderRoute> = async (c) => {
  const body = c.req.valid("json");
  const now = Date.now();
  const occurredAt = body.occurredAt ? new Date(body.occurredAt) : new Date(now);
  if (occurredAt.getTime() > now + FUTURE_SKEW_MS) {
    throw new ApiError("occurred_in_future", "occurredAt lies in the future.", { errors: [{ path: "occurredAt", message: "in the future" }] });
  }
  const call = await ledgerCall(c, body.customerRef, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: body.customerRef, body });
  const input = { ...body, occurredAt: occurredAt.toISOString() };
  return respond(c, await recordGuestOrder(database(c.env.DB), c.get("principal"), input, call.idempotency!, new Date(now)));
};

export const refundOrder: AppRouteHandler<RefundOrderRoute> = async (c) => {
  const { orderId } = c.req.valid("param");
  const body = c.req.valid("json");
  const call = await ledgerCall(c, orderId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: orderId, body });
  return respond(c, await refundGuestOrder(database(c.env.DB), c.get("principal"), { orderId, ...body }, call.idempotency!, new Date()));
};
