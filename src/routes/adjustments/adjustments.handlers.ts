// Adjustment handler: the one place an admin's manual credit or debit is written, through the member's object.
import { ledgerCall, memberLedger, respond } from "../../app/ledger-client";
import type { AppRouteHandler } from "../../app/types";
import { auditOf } from "../../audit/audit";
import type { CreateAdjustmentRoute } from "./adjustments.routes";

export const createAdjustment: AppRouteHandler<CreateAdjustmentRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const body = c.req.valid("json");
  const call = await ledgerCall(c, memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: memberId, body });
  // The row is completed by the member's object with what the adjustment did, and written in its batch.
  const audit = auditOf(c, `member:${memberId}:adjustment`, "create");
  return respond(c, await memberLedger(c, memberId).adjust(call, { ...body, keyId: c.get("principal").keyId }, audit));
};
