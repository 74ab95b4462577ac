// Adjustment handler: the one place an admin's manual credit or debit is written, through the member's object.
import { ledgerCall, memberLedger, respond } from "../../app/ledger-client";
import type { AppRouteHandler } from "../../app/types";
import type { CreateAdjustmentRoute } from "./adjustments.routes";

export const createAdjustment: AppRouteHandler<CreateAdjustmentRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const body = c.req.valid("json");
  const call = await ledgerCall(c, memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: memberId, body });
  return respond(c, await memberLedger(c, memberId).adjust(call, { ...body, keyId: c.get("principal").keyId }));
};
