// refund as a pure function: an order's points taken back in proportion, from its lot, then from what expired, the rest as debt.
import { describe, expect, it } from "vitest";
import { refund, type OrderLot, type RefundInput } from "../../src/ledger/ops/refund";
import type { Plan } from "../../src/ledger/state";
import { context, expectRefusal, lot, member, NOW, order, state } from "./build";

const eur = (amount: number) => ({ amount, currency: "EUR" });
const input = (amount: number, fields: Partial<RefundInput> = {}): RefundInput => ({ orderId: "o-1", amount: eur(amount), ...fields });
const orderLot = (remaining: number, expired = 0): OrderLot => ({ id: "lot_o1", remaining, expired });
/** Lot deltas as [lot, delta, expired]; a zero is a zero whatever its sign. */
const deltas = (plan: Plan<unknown>) => plan.lotDeltas.map((d) => [d.lotId, d.delta || 0, d.expired || 0]);

describe("refund", () => {
  // The order: 100.00 EUR that earned 100 points into lot_o1; the member owes 5 already.
  it.each([
    { what: "all of an unspent order from its lot", refunded: 10_000, lot: [100, 0], clawed: 100, back: { fromLot: 100, fromExpired: 0, addedToDebt: 0 }, delta: [-100, 0], entryPoints: -100, debt: 5 },
    { what: "half of an unspent order from its lot", refunded: 5_000, lot: [100, 0], clawed: 50, back: { fromLot: 50, fromExpired: 0, addedToDebt: 0 }, delta: [-50, 0], entryPoints: -50, debt: 5 },
    { what: "what was spent as debt", refunded: 10_000, lot: [30, 0], clawed: 100, back: { fromLot: 30, fromExpired: 0, addedToDebt: 70 }, delta: [-30, 0], entryPoints: -100, debt: 75 },
    // Expired points were gone already: the entry takes nothing more from what the member owns.
    { what: "what expired from what the lot lost to expiry, not as debt", refunded: 10_000, lot: [0, 100], clawed: 100, back: { fromLot: 0, fromExpired: 100, addedToDebt: 0 }, delta: [0, -100], entryPoints: 0, debt: 5 },
    { what: "the lot first, then what expired, then debt", refunded: 10_000, lot: [20, 50], clawed: 100, back: { fromLot: 20, fromExpired: 50, addedToDebt: 30 }, delta: [-20, -50], entryPoints: -50, debt: 35 },
    { what: "part of an order from the lot before what expired", refunded: 4_000, lot: [20, 50], clawed: 40, back: { fromLot: 20, fromExpired: 20, addedToDebt: 0 }, delta: [-20, -20], entryPoints: -20, debt: 5 },
  ])("takes back $what", ({ refunded, lot: [remaining, expired], clawed, back, delta, entryPoints, debt }) => {
    const plan = refund(state({ member: member({ debt: 5 }) }), "ada", order(), orderLot(remaining!, expired), input(refunded), context());
    expect(plan.result).toMatchObject({ pointsClawedBack: clawed, ...back });
    expect(deltas(plan)).toEqual([["lot_o1", ...delta]]);
    expect(plan.entries.map((e) => [e.type, e.points || 0, e.heldPoints])).toEqual([["clawback", entryPoints, 0]]);
    expect(plan.member.debt).toBe(debt);
    expect(plan.orderRefund).toEqual({ issuer: "", orderId: "o-1", refundedAmount: refunded, clawedBackPoints: clawed });
  });

  it("writes the clawback entry, the order's new totals, the lot delta and points.refunded", () => {
    const s = state({ member: member({ qualifyingPoints: 500 }), lots: [lot("lot_o1", 20, { orderId: "o-1", points: 100 }), lot("other", 7)] });
    const plan = refund(s, "ada", order(), orderLot(20, 50), input(10_000, { reason: "damaged" }), context());
    expect(plan.entries).toEqual([
      {
        id: "ent_1",
        type: "clawback",
        points: -50,
        heldPoints: 0,
        lotId: "lot_o1",
        orderId: "o-1",
        redemptionId: null,
        partnerId: null,
        channel: null,
        details: { refundedAmount: eur(10_000), fromLot: 20, fromExpired: 50, addedToDebt: 30, reason: "damaged" },
        occurredAt: NOW,
        settlementPeriod: null,
        createdAt: NOW,
      },
    ]);
    expect(plan.lotDeltas).toEqual([{ lotId: "lot_o1", delta: -20, expired: -50 }]);
    expect(plan.orderRefund).toEqual({ issuer: "", orderId: "o-1", refundedAmount: 10_000, clawedBackPoints: 100 });
    expect(plan.events).toEqual([
      {
        id: "evt_1",
        type: "points.refunded",
        partnerId: null,
        payload: { memberId: "ada", orderId: "o-1", points: 100, fromExpired: 50, addedToDebt: 30, refundedAmount: eur(10_000), occurredAt: NOW },
      },
    ]);
    expect(plan.result).toEqual({
      refundId: "ent_1",
      orderId: "o-1",
      refundedAmount: eur(10_000),
      pointsClawedBack: 100,
      fromLot: 20,
      fromExpired: 50,
      addedToDebt: 30,
    });
    // A refund is not activity; the qualifying total loses the points taken back.
    expect(plan.member).toMatchObject({ debt: 30, qualifyingPoints: 400, version: 4, lastActivityAt: "2026-01-01T00:00:00.000Z" });
    expect(plan.nextState.lots.map((l) => [l.id, l.remaining])).toEqual([["other", 7]]);
    expect(plan.newLots).toEqual([]);
    expect(plan.allocations).toEqual([]);
  });

  it.each([
    // refunded before, points taken back before, refunded now -> taken back now, order totals after
    [0, 0, 3_333, 33, 3_333, 33],
    [3_333, 33, 3_333, 33, 6_666, 66],
    [6_666, 66, 3_334, 34, 10_000, 100],
  ])("adds partial refunds up: after %i (%i points), refunding %i takes back %i", (refundedBefore, clawedBefore, amount, clawNow, refundedAfter, clawedAfter) => {
    const o = order({ refundedAmount: refundedBefore, clawedBackPoints: clawedBefore });
    const plan = refund(state(), "ada", o, orderLot(100 - clawedBefore), input(amount), context());
    expect(plan.result.pointsClawedBack).toBe(clawNow);
    expect(plan.orderRefund).toEqual({ issuer: "", orderId: "o-1", refundedAmount: refundedAfter, clawedBackPoints: clawedAfter });
  });

  it.each([
    ["the lot is gone", null],
    ["the lot named is not the order's", { id: "lot_other", remaining: 100, expired: 0 }],
  ])("takes everything as debt when %s", (_, lotOfOrder) => {
    const plan = refund(state(), "ada", order(), lotOfOrder, input(10_000), context());
    expect(plan.result).toMatchObject({ pointsClawedBack: 100, fromLot: 0, fromExpired: 0, addedToDebt: 100 });
    expect(plan.lotDeltas).toEqual([]);
    expect(plan.member.debt).toBe(100);
  });

  it.each([
    ["points", {}, 500, 400],
    ["spend", { basis: "spend" as const }, 25_000, 15_000],
    ["spend, never below zero", { basis: "spend" as const }, 4_000, 0],
  ])("takes the refund off the qualifying total (tiers by %s)", (_, tierQualification, before, after) => {
    const plan = refund(state({ member: member({ qualifyingPoints: before }) }), "ada", order(), orderLot(100), input(10_000), context({ settings: { tierQualification } }));
    expect(plan.member.qualifyingPoints).toBe(after);
  });

  it("names the partner that issued the order on the entry and the event", () => {
    const plan = refund(state(), "ada", order({ issuer: "ptr_1" }), orderLot(100), input(10_000), context({ partnerId: "ptr_1" }));
    expect(plan.entries.map((e) => e.partnerId)).toEqual(["ptr_1"]);
    expect(plan.events.map((e) => [e.type, e.partnerId])).toEqual([["points.refunded", "ptr_1"]]);
    expect(plan.orderRefund!.issuer).toBe("ptr_1");
  });

  it("refuses more than is left of the order, with what is left", () => {
    const o = order({ refundedAmount: 6_000, clawedBackPoints: 60 });
    expectRefusal(() => refund(state(), "ada", o, orderLot(40), input(4_001), context()), "refund_exceeds_order", { refundable: eur(4_000) });
  });

  it("refuses a refund in another currency than the order's", () => {
    expectRefusal(() => refund(state(), "ada", order(), orderLot(100), { orderId: "o-1", amount: { amount: 100, currency: "USD" } }, context()), "currency_mismatch");
  });

  it("refuses a member that does not exist", () => {
    expectRefusal(() => refund(state({ member: null }), "ada", order(), orderLot(100), input(100), context()), "member_not_found");
  });
});
