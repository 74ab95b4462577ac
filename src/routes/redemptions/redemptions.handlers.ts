// Redemption handlers: find the redemption, then hand capture or cancel to its member's object.
import type { Context } from "hono";
import { respond, writeCall, writeContextOf, type WriteContext } from "../../app/ledger-client";
import type { AppEnv, AppRouteHandler, Principal } from "../../app/types";
import { memberLedgerOf } from "../../members/member-ledger";
import { redemptionNotFound } from "../../ledger/errors";
import { redemptionView } from "../../members/views";
import { redemptionOwner, redemptionRow, type RedemptionOwner } from "./redemptions.queries";
import type { CaptureRedemptionRoute, GetRedemptionRoute } from "./redemptions.routes";

/** What the caller may see of a redemption it found: one of its program (and, for a partner key, of that partner), or a 404. */
function visible<T extends RedemptionOwner>(c: Context<AppEnv>, id: string, found: T | null | undefined): T {
  return visibleTo(c.get("principal"), id, found);
}

function visibleTo<T extends RedemptionOwner>(principal: Principal, id: string, found: T | null | undefined): T {
  if (!found || (principal.partnerId && found.partnerId !== principal.partnerId)) throw redemptionNotFound(id);
  return found;
}

export const getRedemption: AppRouteHandler<GetRedemptionRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const row = visible(c, id, await redemptionRow(c.env.DB, c.get("principal").programId, id));
  return c.json(redemptionView(row), 200);
};

/** A hold's capture or a redemption's cancel, from its validated parts: the route's handler and the path before the router run this. */
export async function transitionRedemption(w: WriteContext, action: "capture" | "cancel", id: string) {
  const { programId } = w.principal;
  const { memberId } = visibleTo(w.principal, id, await redemptionOwner(w.env.DB, programId, id));
  // The route's path as the router names it: the Idempotency-Key's request hash covers it.
  const routePath = `/v1/redemptions/:id/${action}`;
  const call = await writeCall(w.principal, memberId, w.requestId, { method: "POST", routePath, idempotencyKey: w.idempotencyKey, target: id, body: null });
  return memberLedgerOf(w.env, programId, memberId)[action](call, id);
}

function transition(action: "capture" | "cancel"): AppRouteHandler<CaptureRedemptionRoute> {
  return async (c) => respond(c, await transitionRedemption(writeContextOf(c, c.req.valid("header")["idempotency-key"]), action, c.req.valid("param").id));
}

export const captureRedemption = transition("capture");
// Both routes take the same request; the capture route types the shared handler.
export const cancelRedemption = transition("cancel");
