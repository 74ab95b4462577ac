// Bulk posting handler: the envelope is validated by the route, the items by postBatch.
import { forCaller, ledgerCall, memberLedger } from "../../app/ledger-client";
import type { AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { recordGuestOrder } from "../../kpis/guest-orders";
import { accrualInput, guestOrderInput, postBatch, refundInput, type PostItem } from "./batch";
import type { PostTransactionBatchRoute } from "./transactions.routes";
import { activeRuleSet } from "../../campaigns/active";

export const postTransactionBatch: AppRouteHandler<PostTransactionBatchRoute> = async (c) => {
  const { items } = c.req.valid("json");
  // One clock for the whole file: items without occurredAt happened when it arrived.
  const now = Date.now();
  const { programId, settings } = c.get("principal");
  let loaded: ReturnType<typeof activeRuleSet> | undefined;
  const ruleSet = () => (loaded ??= activeRuleSet(c.env, programId, settings));
  const post: PostItem = async (item, idempotencyKey) => {
    if (item.type === "order") {
      const call = await ledgerCall(c, item.customerRef, { idempotencyKey, target: item.customerRef, body: item, storeRefusals: false });
      return recordGuestOrder(database(c.env.DB), call, guestOrderInput(item, now), call.idempotency!, new Date(now));
    }
    // The request hash covers the item as validated, so the same item re-sent matches and a changed one does not.
    // A refused item is not kept under its key: the key is the order's own, and a later file may post it.
    const call = await ledgerCall(c, item.memberId, { idempotencyKey, target: item.memberId, body: item, storeRefusals: false });
    const ledger = memberLedger(c, item.memberId);
    if (item.type === "refund") return forCaller(c, await ledger.refund(call, refundInput(item)));
    const input = accrualInput(item, now);
    // Read once per file from the isolate's cache; only its version goes with each item, and the member's
    // object values the item by the rules in force when it occurred (its sign-up bonus by those in force now).
    call.rulesVersion = (await ruleSet()).version;
    return forCaller(c, await ledger.accrue(call, input));
  };
  const outcome = await postBatch(items, { now, post });
  return c.json(outcome, 200);
};
