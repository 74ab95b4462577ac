// Redemption handlers: find the redemption, then hand capture or cancel to its member's object.
import type { Context } from "hono";
import { ledgerCall, memberLedger, respond } from "../../app/ledger-client";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { redemptionNotFound } from "../../ledger/errors";
import { redemptionView } from "../../members/views";
import { redemptionOwner, redemptionRow, type RedemptionOwner } from "./redemptions.queries";
import type { CaptureRedemptionRoute, GetRedemptionRoute } from "./redemptions.routes";

/** What the caller may see of a redemption it found: one of its program (and, for a partner key, of that partner), or a 404. */
function visible<T extends RedemptionOwner>(c: Context<AppEnv>, id: string, found: T | null | undefined): T {
  const { partnerId } = c.get("principal");
  if (!found || (partnerId && found.partnerId !== partnerId)) throw redemptionNotFound(id);
  return found;
}

export const getRedemption: AppRouteHandler<GetRedemptionRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const row = visible(c, id, await redemptionRow(c.env.DB, c.get("principal").programId, id));
  return c.json(redemptionView(row), 200);
};

function transition(action: "capture" | "cancel"): AppRouteHandler<CaptureRedemptionRoute> {
  return async (c) => {
    const { id } = c.req.valid("param");
    const { memberId } = visible(c, id, await redemptionOwner(c.env.DB, c.get("principal").programId, id));
    const call = await ledgerCall(c, memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: id, body: null });
    return respond(c, await memberLedger(c, memberId)[action](call, id));
  };
}

export const captureRedemption = transition("capture");
// Both routes take the same request; the capture route types the shared handler.
export const cancelRedemption = transition("cancel");
