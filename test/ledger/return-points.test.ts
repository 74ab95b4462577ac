// cancelRedemption and lapseDueHolds as pure functions: points go back to their lots, pay debt first, and expire if their lot has.
import { describe, expect, it } from "vitest";
import { cancelRedemption, lapseDueHolds } from "../../src/ledger/ops/redeem";
import type { HeldAllocation } from "../../src/ledger/state";
import { context, expectRefusal, lot, member, NOW, redemption, state, taken } from "./build";

const SOON = "2026-06-01T00:00:00.000Z";
const GONE = "2026-03-05T00:00:00.000Z";
/** 30 points from a lot that expires first, 10 from one that never does. */
const allocations = (soonExpiresAt = SOON, soonPartner: string | null = null): HeldAllocation[] => [
  taken("never", 10),
  taken("soon", 30, { expiresAt: soonExpiresAt, partnerId: soonPartner }),
];
const hold = (fields = {}, from = allocations()) => redemption("red_h", from, fields);

describe("cancelRedemption", () => {
  it("releases a hold: its points back to their lots, one release entry that takes them out of held", () => {
    const h = hold();
    const plan = cancelRedemption(state({ lots: [lot("never", 40)], holds: [h] }), h, context());
    expect(plan.redemptionUpdates).toEqual([{ id: "red_h", fromStatus: "held", status: "cancelled" }]);
    // Soonest-expiring first, whatever order the allocations were stored in.
    expect(plan.lotDeltas).toEqual([
      { lotId: "soon", delta: 30 },
      { lotId: "never", delta: 10 },
    ]);
    expect(plan.entries).toEqual([
      {
        id: "ent_1",
        type: "release",
        points: 0,
        heldPoints: -40,
        lotId: null,
        orderId: null,
        redemptionId: "red_h",
        partnerId: null,
        channel: "online",
        details: {
          allocations: [
            { lotId: "never", points: 10 },
            { lotId: "soon", points: 30 },
          ],
        },
        occurredAt: NOW,
        settlementPeriod: null,
        createdAt: NOW,
      },
    ]);
    expect(plan.events).toEqual([
      {
        id: "evt_1",
        type: "redemption.cancelled",
        partnerId: null,
        payload: { memberId: "ada", redemptionId: "red_h", points: 40, orderId: null, previousStatus: "held", occurredAt: NOW },
      },
    ]);
    expect(plan.result.redemption).toMatchObject({ id: "red_h", status: "cancelled", holdExpiresAt: null, updatedAt: NOW });
    expect(plan.result.redemption).not.toHaveProperty("allocations");
    // Cancelling is not activity.
    expect(plan.member).toMatchObject({ version: 4, debt: 0, lastActivityAt: "2026-01-01T00:00:00.000Z" });
    expect(plan.nextState.lots.map((l) => [l.id, l.remaining])).toEqual([
      ["never", 50],
      ["soon", 30],
    ]);
    expect(plan.nextState.holds).toEqual([]);
  });

  it("reverses a captured redemption: the points come back with a reverse entry", () => {
    const captured = hold({ status: "captured", holdExpiresAt: null, orderId: "o-9" });
    const plan = cancelRedemption(state({ lots: [lot("never", 40)] }), captured, context());
    expect(plan.redemptionUpdates).toEqual([{ id: "red_h", fromStatus: "captured", status: "reversed" }]);
    expect(plan.lotDeltas).toEqual([
      { lotId: "soon", delta: 30 },
      { lotId: "never", delta: 10 },
    ]);
    expect(plan.entries.map((e) => [e.type, e.points, e.heldPoints, e.orderId])).toEqual([["reverse", 40, 0, "o-9"]]);
    expect(plan.events.map((e) => [e.type, "previousStatus" in e.payload && e.payload.previousStatus])).toEqual([["redemption.cancelled", "captured"]]);
    expect(plan.result.redemption.status).toBe("reversed");
  });

  it.each([
    // debt before -> lot deltas, debt payments per lot, debt after
    [0, [{ lotId: "soon", delta: 30 }, { lotId: "never", delta: 10 }], [], 0],
    [20, [{ lotId: "soon", delta: 10 }, { lotId: "never", delta: 10 }], [["soon", 20]], 0],
    [35, [{ lotId: "never", delta: 5 }], [["soon", 30], ["never", 5]], 0],
    [40, [], [["soon", 30], ["never", 10]], 0],
    [55, [], [["soon", 30], ["never", 10]], 15],
  ])("with debt %i, pays it first from the soonest-expiring lot", (debt, lotDeltas, payments, debtAfter) => {
    const h = hold();
    const plan = cancelRedemption(state({ member: member({ debt }), holds: [h] }), h, context());
    expect(plan.lotDeltas).toEqual(lotDeltas);
    expect(plan.member.debt).toBe(debtAfter);
    // Points move from the returned lot to the debt: what the member owns does not change (points 0).
    expect(plan.entries.filter((e) => e.type === "debt_payment").map((e) => [e.lotId, e.points, e.details.debtPaid, e.details.reason])).toEqual(
      payments.map(([lotId, paid]) => [lotId, 0, paid, "released_points"]),
    );
    expect(plan.entries[0]).toMatchObject({ type: "release", points: 0, heldPoints: -40 });
  });

  it("names the issuing partner on each debt payment, and the redemption only when the issuer redeemed", () => {
    const h = hold({ partnerId: "ptr_2" }, [taken("mine", 10, { partnerId: "ptr_2", orderId: "o-2" }), taken("theirs", 10, { partnerId: "ptr_1", orderId: "o-1" })]);
    const plan = cancelRedemption(state({ member: member({ debt: 20 }), holds: [h] }), h, context({ partnerId: "ptr_2" }));
    expect(plan.entries.filter((e) => e.type === "debt_payment").map((e) => [e.lotId, e.orderId, e.partnerId, e.redemptionId, e.details.debtPaid])).toEqual([
      ["mine", "o-2", "ptr_2", "red_h", 10],
      ["theirs", "o-1", "ptr_1", null, 10],
    ]);
    expect(plan.lotDeltas).toEqual([]);
  });

  it("gives points of a lot that expired meanwhile back as expired: release, then one expire entry for that lot", () => {
    const h = hold({}, allocations(GONE, "ptr_1"));
    const plan = cancelRedemption(state({ lots: [lot("never", 40)], holds: [h] }), h, context());
    expect(plan.lotDeltas).toEqual([
      { lotId: "soon", delta: 0, expired: 30 },
      { lotId: "never", delta: 10 },
    ]);
    expect(plan.entries.map((e) => [e.type, e.points, e.heldPoints, e.lotId, e.partnerId, e.redemptionId])).toEqual([
      ["release", 0, -40, null, null, "red_h"],
      ["expire", -30, 0, "soon", "ptr_1", "red_h"],
    ]);
    expect(plan.entries[1]!.details).toEqual({ reason: "returned_to_expired_lot", redeemer: null });
    expect(plan.nextState.lots.map((l) => [l.id, l.remaining])).toEqual([["never", 50]]);
  });

  it("lets returned points of an expired lot pay debt before they expire", () => {
    const h = hold({}, allocations(GONE));
    const plan = cancelRedemption(state({ member: member({ debt: 20 }), holds: [h] }), h, context());
    expect(plan.lotDeltas).toEqual([
      { lotId: "soon", delta: 0, expired: 10 },
      { lotId: "never", delta: 10 },
    ]);
    expect(plan.entries.map((e) => [e.type, e.points, e.lotId, "debtPaid" in e.details ? e.details.debtPaid : null])).toEqual([
      ["release", 0, null, null],
      ["debt_payment", 0, "soon", 20],
      ["expire", -10, "soon", null],
    ]);
    expect(plan.member.debt).toBe(0);
  });

  it("expires every returned point of a member idle past the inactivity deadline", () => {
    const h = hold();
    const settings = { expiry: { policy: "inactivity" as const, days: 30 } };
    const plan = cancelRedemption(state({ holds: [h] }), h, context({ settings }));
    expect(plan.lotDeltas).toEqual([
      { lotId: "soon", delta: 0, expired: 30 },
      { lotId: "never", delta: 0, expired: 10 },
    ]);
    expect(plan.entries.map((e) => [e.type, e.points, e.lotId])).toEqual([
      ["release", 0, null],
      ["expire", -30, "soon"],
      ["expire", -10, "never"],
    ]);
  });

  it.each([
    ["cancelled when asked before its time", "2026-03-10T12:00:00.001Z", "cancelled" as const, "cancelled", "redemption.cancelled"],
    ["lapsed when asked at its time", "2026-03-10T12:00:00.000Z", "cancelled" as const, "lapsed", "redemption.lapsed"],
    ["lapsed when its timer asks", "2026-03-10T12:00:00.000Z", "lapsed" as const, "lapsed", "redemption.lapsed"],
  ])("marks a hold %s", (_, holdExpiresAt, reason, status, eventType) => {
    const h = hold({ holdExpiresAt });
    const plan = cancelRedemption(state({ holds: [h] }), h, context(), reason);
    expect(plan.redemptionUpdates).toEqual([{ id: "red_h", fromStatus: "held", status }]);
    expect(plan.events.map((e) => e.type)).toEqual([eventType]);
    expect(plan.entries.map((e) => e.type)).toEqual(["release"]);
  });

  it.each(["cancelled", "lapsed", "reversed"] as const)("refuses a redemption that is already %s", (status) => {
    const done = hold({ status, holdExpiresAt: null });
    expectRefusal(() => cancelRedemption(state(), done, context()), "redemption_not_cancellable", { redemptionStatus: status });
  });

  it("refuses a member that does not exist", () => {
    const h = hold();
    expectRefusal(() => cancelRedemption(state({ member: null, holds: [h] }), h, context()), "member_not_found");
  });
});

describe("lapseDueHolds", () => {
  const due = redemption("red_due", [taken("a", 20)], { holdExpiresAt: NOW });
  const overdue = redemption("red_over", [taken("b", 25)], { holdExpiresAt: "2026-03-10T11:00:00.000Z", partnerId: "ptr_1" });
  const later = redemption("red_later", [taken("c", 5)], { holdExpiresAt: "2026-03-10T12:00:00.001Z" });

  it("lapses every hold whose time has come, and keeps the others", () => {
    const plan = lapseDueHolds(state({ holds: [due, later, overdue] }), context())!;
    expect(plan.result).toEqual({ lapsed: ["red_due", "red_over"] });
    expect(plan.redemptionUpdates).toEqual([
      { id: "red_due", fromStatus: "held", status: "lapsed" },
      { id: "red_over", fromStatus: "held", status: "lapsed" },
    ]);
    expect(plan.lotDeltas).toEqual([
      { lotId: "a", delta: 20 },
      { lotId: "b", delta: 25 },
    ]);
    expect(plan.entries.map((e) => [e.type, e.points, e.heldPoints, e.redemptionId])).toEqual([
      ["release", 0, -20, "red_due"],
      ["release", 0, -25, "red_over"],
    ]);
    expect(plan.events).toEqual([
      { id: "evt_1", type: "redemption.lapsed", partnerId: null, payload: { memberId: "ada", redemptionId: "red_due", points: 20, occurredAt: NOW } },
      { id: "evt_2", type: "redemption.lapsed", partnerId: "ptr_1", payload: { memberId: "ada", redemptionId: "red_over", points: 25, occurredAt: NOW } },
    ]);
    expect(plan.nextState.holds.map((h) => h.id)).toEqual(["red_later"]);
    expect(plan.nextState.lots.map((l) => [l.id, l.remaining])).toEqual([
      ["a", 20],
      ["b", 25],
    ]);
  });

  it("pays the debt across the holds in turn", () => {
    const plan = lapseDueHolds(state({ member: member({ debt: 35 }), holds: [due, overdue] }), context())!;
    expect(plan.lotDeltas).toEqual([{ lotId: "b", delta: 10 }]);
    expect(plan.entries.filter((e) => e.type === "debt_payment").map((e) => [e.lotId, e.details.debtPaid])).toEqual([
      ["a", 20],
      ["b", 15],
    ]);
    expect(plan.member.debt).toBe(0);
  });

  it.each([
    ["no hold is due", state({ holds: [later] })],
    ["there are no holds", state()],
    ["the member does not exist", state({ member: null, holds: [due] })],
  ])("writes nothing when %s", (_, s) => {
    expect(lapseDueHolds(s, context())).toBeNull();
  });
});
