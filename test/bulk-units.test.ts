// Bulk posting without HTTP: item keys, member order, the bounded fan-out and failures, with a plain posting function.
import { describe, expect, it } from "vitest";
import { BATCH_FAN_OUT, itemKey, postBatch, type PostItem } from "../src/routes/transactions/batch";
import type { BatchItem } from "../src/routes/transactions/transactions.schemas";
import type { AccrualView } from "../src/members/member-ledger";

const NOW = Date.parse("2026-11-28T12:00:00Z");
const accrual = (memberId: string, orderId: string) => ({ type: "accrual", memberId, orderId, amount: { amount: 1000, currency: "EUR" } });

/** A posting function that answers after a few turns of the event loop and records what it saw. */
function recordingPost() {
  const started: string[] = [];
  const inFlight = new Map<string, number>();
  let now = 0;
  let most = 0;
  let turn = 0;
  const post: PostItem = async (item, key) => {
    const who = item.type === "order" ? item.customerRef : item.memberId;
    started.push(`${who} ${key}`);
    inFlight.set(who, (inFlight.get(who) ?? 0) + 1);
    most = Math.max(most, ++now);
    expect(inFlight.get(who), `${who} has one item in flight`).toBe(1);
    // Members finish in an order of their own, unlike the order they started in.
    for (let i = 0; i < ((turn++ * 7) % 5) + 1; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    inFlight.set(who, inFlight.get(who)! - 1);
    now--;
    // The batch passes the value on untouched, so the orderId stands for a whole accrual.
    return { ok: true, value: { orderId: item.orderId } as AccrualView, created: true, replayed: false };
  };
  return { post, started, mostInFlight: () => most };
}

describe("bulk posting, unit", () => {
  it("keys an item by what it is, so ids with separators in them cannot meet", () => {
    const refund = (orderId: string, refundId: string) =>
      ({ type: "refund", memberId: "m", orderId, refundId, amount: { amount: 1, currency: "EUR" } }) as BatchItem;
    expect(itemKey(refund("a:b", "c"))).not.toBe(itemKey(refund("a", "b:c")));
    expect(itemKey(accrual("m", "o-1") as BatchItem)).toBe("batch accrual o-1");
    expect(itemKey(accrual("other", "o-1") as BatchItem)).toBe("batch accrual o-1");
  });

  it("posts each member's items in the order given, and never more members at once than the fan-out", async () => {
    const members = Array.from({ length: 40 }, (_, i) => `m${i}`);
    const items = Array.from({ length: 200 }, (_, i) => accrual(members[(i * 7) % 40]!, `o-${i}`));
    const { post, started, mostInFlight } = recordingPost();
    const outcome = await postBatch(items, { now: NOW, post });
    expect(outcome.counts).toEqual({ posted: 200, duplicate: 0, error: 0 });
    expect(outcome.results.map((r) => r.orderId)).toEqual(items.map((i) => i.orderId));
    for (const member of members) {
      const sent = items.filter((i) => i.memberId === member).map((i) => `${member} batch accrual ${i.orderId}`);
      expect(started.filter((s) => s.startsWith(`${member} `))).toEqual(sent);
    }
    expect(mostInFlight()).toBe(BATCH_FAN_OUT);
  });

  it("never posts an invalid item, and keeps going past an item whose call failed", async () => {
    const { post, started } = recordingPost();
    const failing: PostItem = async (item, key) => {
      if (item.orderId === "o-2") throw new Error("something broke");
      if (item.orderId === "o-5") throw Object.assign(new Error("Durable Object reset because its code was updated."), { durableObjectReset: true });
      return post(item, key);
    };
    const items = [accrual("ada", "o-1"), accrual("ada", "o-2"), { ...accrual("ada", "o-3"), amount: -1 }, accrual("ada", "o-4"), accrual("ada", "o-5"), accrual("ada", "o-6")];
    const outcome = await postBatch(items, { now: NOW, post: failing });
    expect(outcome.results.map((r) => r.status)).toEqual(["posted", "error", "error", "posted", "error", "posted"]);
    expect(outcome.results[1]!.error).toMatchObject({ status: 500, code: "internal_error" });
    expect(outcome.results[2]!.error).toMatchObject({ status: 400, code: "validation_failed", errors: [{ path: "amount" }] });
    expect(outcome.results[4]!.error).toMatchObject({ status: 503, code: "temporarily_unavailable" });
    expect(started).toEqual(["ada batch accrual o-1", "ada batch accrual o-4", "ada batch accrual o-6"]);
  });
});
