// Tier handlers: hand the grant to the member's Durable Object.
import type { AppRouteHandler } from "../../app/types";
import { ledgerCall, memberLedger, respond } from "../../app/ledger-client";
import { auditOf } from "../../audit/audit";
import type { SetTierRoute } from "./tiers.routes";

export const setTier: AppRouteHandler<SetTierRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const body = c.req.valid("json");
  const call = await ledgerCall(c, memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: memberId, body });
  return respond(c, await memberLedger(c, memberId).setTier(call, body, auditOf(c, `member:${memberId}:tier`, "grant", { after: body })));
};
