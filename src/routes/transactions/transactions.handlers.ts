// Bulk posting handler: the envelope is validated by the route, the items by postBatch.
import { forCaller, ledgerCall, memberLedger } from "../../app/ledger-client";
import type { AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { recordGuestOrder } from "../../kpis/guest-orders";
import { accrualInput, guestOrderInput, postBatch, refundInput, type PostItem } from "./batch";
import type { PostTransactionBatchRoute } from "./transactions.routes";

export const postTransactionBatch: AppRouteHandler<PostTransactionBatchRoute> = async (c) => {
  const { items } = c.req.valid("json");
  // One clock for the whole file: items without occurredAt happened when it arrived.
  const now = Date.now();
  const post: PostItem = async (item, idempotencyKey) => {
    if (item.type === "order") {
      const call = await ledgerCall(c, item.customerRef, { idempotencyKey, target: item.customerRef, body: item, storeRefusals: false });
      return recordGuestOrder(database(c.env.DB), call, guestOrderInput(item, now), call.idempotency!, new Date(now));
    }
    // The request hash covers the item as validated, so the same item re-sent matches and a changed one does not.
    // A refused item is not kept under its key: the key is the order's own, and a later file may post it.
    const call = await ledgerCall(c, item.memberId, { idempotencyKey, target: item.memberId, body: item, storeRefusals: false });
    const ledger = memberLedger(c, item.memberId);
    return forCaller(c, await (item.type === "accrual" ? ledger.accrue(call, accrualInput(item, now)) : ledger.refund(call, refundInput(item))));
  };
  const outcome = await postBatch(items, { now, post });
  return c.json(outcome, 200);
};
