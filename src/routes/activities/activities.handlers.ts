// Activity handlers: validate, hand the work to the member's Durable Object with the rules in force, answer.
import { FUTURE_SKEW_MS } from "../../app/clock";
import { ledgerCall, memberLedger, respond } from "../../app/ledger-client";
import { resumeAfter, sealedPage } from "../../app/pages";
import type { AppRouteHandler } from "../../app/types";
import { rulesInForceFor } from "../../campaigns/active";
import { ApiError } from "../../lib/errors";
import { ulid } from "../../lib/ids";
import { activityOccurredAt, memberActivityPage } from "./activities.queries";
import type { ConfirmActivityRoute, ListActivitiesRoute, RecordActivityRoute, RejectActivityRoute } from "./activities.routes";

export const recordActivity: AppRouteHandler<RecordActivityRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const body = c.req.valid("json");
  const now = Date.now();
  const occurredAt = body.occurredAt ? new Date(body.occurredAt) : new Date(now);
  if (occurredAt.getTime() > now + FUTURE_SKEW_MS) {
    throw new ApiError("occurred_in_future", "occurredAt lies in the future.", { errors: [{ path: "occurredAt", message: "in the future" }] });
  }
  const { programId, settings } = c.get("principal");
  const call = await ledgerCall(c, memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: memberId, body });
  call.rules = await rulesInForceFor(c.env, programId, settings, occurredAt, "activity");
  const input = {
    activityId: `act_${ulid()}`,
    type: body.type,
    reference: body.reference,
    occurredAt: occurredAt.toISOString(),
    attributes: body.attributes,
    pending: body.status === "pending",
  };
  return respond(c, await memberLedger(c, memberId).recordActivity(call, input));
};

/** Reads D1 directly, as the entry history does: every committed activity is there. */
export const listActivities: AppRouteHandler<ListActivitiesRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const { limit, cursor, status } = c.req.valid("query");
  const { programId } = c.get("principal");
  // The member must exist for the caller's program; otherwise the same 404 as everywhere.
  const member = await memberLedger(c, memberId).getBalance(await ledgerCall(c, memberId));
  if (!member.ok) return respond(c, member);
  const scope = ["member-activities", programId, memberId, status ?? ""] as const;
  const page = await memberActivityPage(c.env.DB, programId, memberId, status, limit, await resumeAfter(c, scope, cursor));
  return c.json(await sealedPage(c, scope, page), 200);
};

export const confirmActivity: AppRouteHandler<ConfirmActivityRoute> = async (c) => {
  const { memberId, activityId } = c.req.valid("param");
  const { programId, settings } = c.get("principal");
  const occurredAt = await activityOccurredAt(c.env.DB, programId, memberId, activityId);
  if (!occurredAt) throw new ApiError("activity_not_found", `No activity '${activityId}' of this member.`);
  const call = await ledgerCall(c, memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: `${memberId}/${activityId}`, body: {} });
  call.rules = await rulesInForceFor(c.env, programId, settings, occurredAt, "activity");
  return respond(c, await memberLedger(c, memberId).confirmActivity(call, activityId));
};

export const rejectActivity: AppRouteHandler<RejectActivityRoute> = async (c) => {
  const { memberId, activityId } = c.req.valid("param");
  const call = await ledgerCall(c, memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: `${memberId}/${activityId}`, body: {} });
  return respond(c, await memberLedger(c, memberId).rejectActivity(call, activityId));
};
