// Member handlers: validate, hand the work to the member's Durable Object, answer.
import type { AppRouteHandler } from "../../app/types";
import { ledgerCall, memberLedger, respond } from "../../app/ledger-client";
import type {
  AccrueRoute,
  EnrollMemberRoute,
  GetBalanceRoute,
  GetMemberRoute,
  ListTransactionsRoute,
  RedeemRoute,
  RefundRoute,
} from "./members.routes";
import { resumeAfter, sealedPage } from "../../app/pages";
import { ApiError } from "../../lib/errors";
import { FUTURE_SKEW_MS } from "../../app/clock";
import { memberEntryPage } from "./members.queries";
import { rememberOwner } from "../redemptions/redemptions.queries";
import { enrollReferred } from "./members.referrals";
import { activeRuleSet, rulesInForceFor } from "../../campaigns/active";

export const enrollMember: AppRouteHandler<EnrollMemberRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const { referralCode, deviceFingerprint, paymentFingerprint, ...body } = c.req.valid("json");
  if (referralCode !== undefined || deviceFingerprint !== undefined || paymentFingerprint !== undefined) {
    return respond(c, await enrollReferred(c, memberId, body, { referralCode, deviceFingerprint, paymentFingerprint }));
  }
  const call = await ledgerCall(c, memberId);
  const { programId, settings } = c.get("principal");
  // A new member's sign-up bonus: the enrollment rules in force now.
  call.rules = await rulesInForceFor(c.env, programId, settings, new Date(), "enrollment");
  return respond(c, await memberLedger(c, memberId).enroll(call, body));
};

export const getMember: AppRouteHandler<GetMemberRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  return respond(c, await memberLedger(c, memberId).getMember(await ledgerCall(c, memberId)));
};

export const accrue: AppRouteHandler<AccrueRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const body = c.req.valid("json");
  const now = Date.now();
  const occurredAt = body.occurredAt ? new Date(body.occurredAt) : new Date(now);
  if (occurredAt.getTime() > now + FUTURE_SKEW_MS) {
    throw new ApiError("occurred_in_future", "occurredAt lies in the future.", { errors: [{ path: "occurredAt", message: "in the future" }] });
  }
  const input = {
    orderId: body.orderId,
    amount: body.amount,
    channel: body.channel,
    occurredAt: occurredAt.toISOString(),
    items: body.items,
    storeId: body.storeId ?? null,
  };
  const call = await ledgerCall(c, memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: memberId, body });
  const { programId, settings } = c.get("principal");
  // Only the version of the rules goes with the call: the object keeps the set itself (src/campaigns/active.ts).
  call.rulesVersion = (await activeRuleSet(c.env, programId, settings)).version;
  return respond(c, await memberLedger(c, memberId).accrue(call, input));
};

export const getBalance: AppRouteHandler<GetBalanceRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  return respond(c, await memberLedger(c, memberId).getBalance(await ledgerCall(c, memberId)));
};

export const redeem: AppRouteHandler<RedeemRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const body = c.req.valid("json");
  const call = await ledgerCall(c, memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: memberId, body });
  const reply = await memberLedger(c, memberId).redeem(call, body);
  // Its capture or cancel then finds the member without reading D1 (when this isolate serves it).
  if (reply.ok) rememberOwner(call.programId, reply.value);
  return respond(c, reply);
};

export const refund: AppRouteHandler<RefundRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const body = c.req.valid("json");
  const call = await ledgerCall(c, memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: memberId, body });
  return respond(c, await memberLedger(c, memberId).refund(call, body));
};

/** Reads D1 directly: every committed write is already there, and history needs no serialization. */
export const listTransactions: AppRouteHandler<ListTransactionsRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const { limit, cursor } = c.req.valid("query");
  const { programId, partnerId } = c.get("principal");
  // The member must exist for the caller's program; otherwise the same 404 as everywhere.
  const member = await memberLedger(c, memberId).getBalance(await ledgerCall(c, memberId));
  if (!member.ok) return respond(c, member);
  const scope = ["member-transactions", programId, memberId, partnerId] as const;
  const page = await memberEntryPage(c.env.DB, programId, memberId, partnerId, limit, await resumeAfter(c, scope, cursor));
  return c.json(await sealedPage(c, scope, page), 200);
};
