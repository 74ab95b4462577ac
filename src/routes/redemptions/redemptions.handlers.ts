// Redemption handlers: find the redemption, then hand capture or cancel to its member's object.
import type { Context } from "hono";
import { ledgerCall, memberLedger, respond } from "../../app/ledger-client";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { redemptionNotFound } from "../../ledger/errors";
import { redemptionView } from "../../members/views";
import { redemptionOwner, redemptionRow } from "./redemptions.queries";
import type { CaptureRedemptionRoute, GetRedemptionRoute } from "./redemptions.routes";

/** The redemption in the caller's program (and, for a partner key, of that partner), or a 404. */
async function findRedemption(c: Context<AppEnv>, id: string) {
  const { programId, partnerId } = c.get("principal");
  const row = await redemptionRow(c.env.DB, programId, id);
  if (!row || (partnerId && row.partnerId !== partnerId)) throw redemptionNotFound(id);
  return row;
}

export const getRedemption: AppRouteHandler<GetRedemptionRoute> = async (c) => {
  const row = await findRedemption(c, c.req.valid("param").id);
  return c.json(redemptionView(row), 200);
};

function transition(action: "capture" | "cancel"): AppRouteHandler<CaptureRedemptionRoute> {
  return async (c) => {
    const { id } = c.req.valid("param");
    const { programId, partnerId } = c.get("principal");
    const owner = await redemptionOwner(c.env.DB, programId, id);
    if (!owner || (partnerId && owner.partnerId !== partnerId)) throw redemptionNotFound(id);
    const { memberId } = owner;
    const call = await ledgerCall(c, memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: id, body: null });
    return respond(c, await memberLedger(c, memberId)[action](call, id));
  };
}

export const captureRedemption = transition("capture");
// Both routes take the same request; the capture route types the shared handler.
export const cancelRedemption = transition("cancel");
