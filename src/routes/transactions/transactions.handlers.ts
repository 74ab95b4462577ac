// Bulk posting handler: the envelope is validated by the route, the items by postBatch.
import { forCaller, ledgerCall, memberLedger } from "../../app/ledger-client";
import type { AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { recordGuestOrder } from "../../kpis/guest-orders";
import { accrualInput, guestOrderInput, postBatch, refundInput, type PostItem } from "./batch";
import type { BatchItem } from "./transactions.schemas";
import type { PostTransactionBatchRoute } from "./transactions.routes";
import { activeRuleSet } from "../../campaigns/active";
import { lotWindowOf } from "../../members/member-ledger";
import { readPreloads, type MemberPreload } from "../../members/preload";

export const postTransactionBatch: AppRouteHandler<PostTransactionBatchRoute> = async (c) => {
  const { items } = c.req.valid("json");
  // One clock for the whole file: items without occurredAt happened when it arrived.
  const now = Date.now();
  const { programId, settings } = c.get("principal");
  let loaded: ReturnType<typeof activeRuleSet> | undefined;
  const ruleSet = () => (loaded ??= activeRuleSet(c.env, programId, settings));
  // The members' objects mostly never ran: their first loads are read here for all of them at once.
  let preloads = new Map<string, MemberPreload>();
  const before = async (valid: BatchItem[]) => {
    const memberIds = [...new Set(valid.flatMap((item) => (item.type === "order" ? [] : [item.memberId])))];
    try {
      preloads = await readPreloads(database(c.env.DB), programId, memberIds, lotWindowOf(c.env));
    } catch (error) {
      // Only a shortcut: without it each object loads itself, and D1 trouble that lasts is each item's own problem.
      console.log(JSON.stringify({ level: "warn", message: "bulk preload failed", error: String(error) }));
    }
  };
  /** A member's first item takes the preload; by the next one the object holds its own state. */
  const preloadOf = (memberId: string) => {
    const preload = preloads.get(memberId);
    preloads.delete(memberId);
    return preload;
  };
  const post: PostItem = async (item, idempotencyKey) => {
    if (item.type === "order") {
      const call = await ledgerCall(c, item.customerRef, { idempotencyKey, target: item.customerRef, body: item, storeRefusals: false });
      return recordGuestOrder(database(c.env.DB), c.get("principal"), guestOrderInput(item, now), call.idempotency!, new Date(now));
    }
    // The request hash covers the item as validated, so the same item re-sent matches and a changed one does not.
    // A refused item is not kept under its key: the key is the order's own, and a later file may post it.
    const call = await ledgerCall(c, item.memberId, { idempotencyKey, target: item.memberId, body: item, storeRefusals: false });
    const ledger = memberLedger(c, item.memberId);
    if (item.type === "refund") return forCaller(c, await ledger.refund(call, refundInput(item), preloadOf(item.memberId)));
    const input = accrualInput(item, now);
    // Read once per file from the isolate's cache; only its version goes with each item, and the member's
    // object values the item by the rules in force when it occurred (its sign-up bonus by those in force now).
    call.rulesVersion = (await ruleSet()).version;
    return forCaller(c, await ledger.accrue(call, input, preloadOf(item.memberId)));
  };
  const outcome = await postBatch(items, { now, post, before });
  return c.json(outcome, 200);
};
