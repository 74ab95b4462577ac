// redeem (capture or hold) and captureHold as pure functions: which lots pay, what each plan writes, what they refuse.
import { describe, expect, it } from "vitest";
import { captureHold, redeem, type RedeemInput } from "../../src/ledger/ops/redeem";
import { context, expectRefusal, issue, lot, NOW, redemption, state, taken } from "./build";

const SOON = "2026-06-01T00:00:00.000Z";
/** 30 points expiring soon, 50 that never expire, 40 still pending, 20 already expired: 80 available. */
const lots = () => [
  lot("soon", 30, { expiresAt: SOON }),
  lot("never", 50),
  lot("pending", 40, { availableAt: "2026-04-01T00:00:00.000Z" }),
  lot("expired", 20, { expiresAt: "2026-03-01T00:00:00.000Z" }),
];
const input = (points: number, fields: Partial<RedeemInput> = {}): RedeemInput => ({ mode: "capture", points, channel: "online", ...fields });

describe("redeem", () => {
  it("captures from the soonest-expiring lots: allocations, lot deltas, one redeem entry, points.redeemed", () => {
    const plan = redeem(state({ lots: lots() }), "ada", input(60, { orderId: "o-7" }), context());
    expect(plan.allocations).toEqual([
      { redemptionId: "red_1", lotId: "soon", points: 30 },
      { redemptionId: "red_1", lotId: "never", points: 30 },
    ]);
    expect(plan.lotDeltas).toEqual([
      { lotId: "soon", delta: -30 },
      { lotId: "never", delta: -30 },
    ]);
    expect(plan.entries).toEqual([
      {
        id: "ent_1",
        type: "redeem",
        points: -60,
        heldPoints: 0,
        lotId: null,
        orderId: "o-7",
        redemptionId: "red_1",
        partnerId: null,
        channel: "online",
        details: {
          allocations: [
            { lotId: "soon", points: 30 },
            { lotId: "never", points: 30 },
          ],
          value: { amount: 60, currency: "EUR" },
        },
        occurredAt: NOW,
        settlementPeriod: null,
        createdAt: NOW,
      },
    ]);
    expect(plan.newRedemption).toEqual({
      id: "red_1",
      memberId: "ada",
      partnerId: null,
      status: "captured",
      points: 60,
      valueAmount: 60,
      currency: "EUR",
      orderId: "o-7",
      channel: "online",
      holdExpiresAt: null,
      createdAt: NOW,
      updatedAt: NOW,
    });
    expect(plan.result).toEqual({ redemption: plan.newRedemption });
    expect(plan.events).toEqual([
      { id: "evt_1", type: "points.redeemed", partnerId: null, payload: { memberId: "ada", redemptionId: "red_1", points: 60, orderId: "o-7", occurredAt: NOW } },
    ]);
    expect(plan.member).toMatchObject({ version: 4, lastActivityAt: NOW });
    expect(plan.nextState.lots.map((l) => [l.id, l.remaining])).toEqual([
      ["never", 20],
      ["pending", 40],
      ["expired", 20],
    ]);
    expect(plan.nextState.holds).toEqual([]);
  });

  it("holds: the points leave the lots at once, the entry moves them to held, and the hold keeps its lots", () => {
    const plan = redeem(state({ lots: lots() }), "ada", input(40, { mode: "hold", ttlSeconds: 600 }), context({ partnerId: "ptr_1" }));
    expect(plan.lotDeltas).toEqual([
      { lotId: "soon", delta: -30 },
      { lotId: "never", delta: -10 },
    ]);
    expect(plan.entries.map((e) => [e.type, e.points, e.heldPoints, e.redemptionId, e.partnerId])).toEqual([["hold", 0, 40, "red_1", "ptr_1"]]);
    expect(plan.newRedemption).toMatchObject({ status: "held", points: 40, partnerId: "ptr_1", holdExpiresAt: "2026-03-10T12:10:00.000Z" });
    expect(plan.events.map((e) => [e.type, e.partnerId])).toEqual([["redemption.held", "ptr_1"]]);
    expect(plan.nextState.holds).toEqual([
      {
        ...plan.newRedemption,
        allocations: [
          { lotId: "soon", points: 30, lot: issue("soon", 30, { expiresAt: SOON }) },
          { lotId: "never", points: 10, lot: issue("never", 50) },
        ],
      },
    ]);
  });

  it.each([
    ["the program's hold time when none is asked", undefined, "2026-03-10T12:15:00.000Z"],
    ["the asked time to live", 3600, "2026-03-10T13:00:00.000Z"],
  ])("holds for %s", (_, ttlSeconds, holdExpiresAt) => {
    const plan = redeem(state({ lots: lots() }), "ada", input(10, { mode: "hold", ttlSeconds }), context());
    expect(plan.newRedemption!.holdExpiresAt).toBe(holdExpiresAt);
  });

  it.each([
    // rate (points -> minor units), points redeemed -> value, floored
    [{ points: 100, amount: 100 }, 60, 60],
    [{ points: 100, amount: 75 }, 60, 45],
    [{ points: 100, amount: 75 }, 61, 45],
    [{ points: 3, amount: 1 }, 80, 26],
  ])("values the points at the program's rate %o: %i points are worth %i", (redemptionValue, points, value) => {
    const plan = redeem(state({ lots: lots() }), "ada", input(points), context({ settings: { redemptionValue } }));
    expect(plan.newRedemption!.valueAmount).toBe(value);
    const [captured] = plan.entries;
    expect(captured!.type === "redeem" && captured!.details.value).toEqual({ amount: value, currency: "EUR" });
  });

  it("may take every available point, pending and expired ones never", () => {
    const plan = redeem(state({ lots: lots() }), "ada", input(80), context());
    expect(plan.lotDeltas).toEqual([
      { lotId: "soon", delta: -30 },
      { lotId: "never", delta: -50 },
    ]);
  });

  const unspendable = () => lots().filter((l) => l.id === "pending" || l.id === "expired");
  it.each([
    ["more than the available points", lots, {}, 81, "insufficient_points", { available: 80, requested: 81, shortfall: 1 }],
    ["anything when only pending and expired points are left", unspendable, {}, 1, "insufficient_points", { available: 0, requested: 1, shortfall: 1 }],
    ["less than the program's minimum", lots, { minRedemptionPoints: 100 }, 60, "below_minimum_redemption", { minimum: 100, requested: 60 }],
  ] as const)("refuses %s", (_, held, settings, points, code, data) => {
    expectRefusal(() => redeem(state({ lots: held() }), "ada", input(points), context({ settings })), code, data);
  });

  it("refuses a member that does not exist", () => {
    expectRefusal(() => redeem(state({ member: null }), "ada", input(1), context()), "member_not_found");
  });
});

describe("captureHold", () => {
  const hold = () =>
    redemption("red_h", [taken("soon", 30, { expiresAt: SOON }), taken("never", 10)], {
      partnerId: "ptr_1",
      orderId: "o-9",
      channel: "store",
      valueAmount: 40,
    });

  it("turns the held points into a redeem entry, with no lot moving again", () => {
    const h = hold();
    const plan = captureHold(state({ lots: [lot("never", 40)], holds: [h] }), h, context());
    expect(plan.redemptionUpdates).toEqual([{ id: "red_h", fromStatus: "held", status: "captured" }]);
    expect(plan.entries).toEqual([
      {
        id: "ent_1",
        type: "redeem",
        points: -40,
        heldPoints: -40,
        lotId: null,
        orderId: "o-9",
        redemptionId: "red_h",
        partnerId: "ptr_1",
        channel: "store",
        details: { capturedHold: true, value: { amount: 40, currency: "EUR" } },
        occurredAt: NOW,
        settlementPeriod: null,
        createdAt: NOW,
      },
    ]);
    expect(plan.lotDeltas).toEqual([]);
    expect(plan.allocations).toEqual([]);
    const payload = { memberId: "ada", redemptionId: "red_h", points: 40, orderId: "o-9", occurredAt: NOW };
    expect(plan.events).toEqual([
      { id: "evt_1", type: "redemption.captured", partnerId: "ptr_1", payload },
      { id: "evt_2", type: "points.redeemed", partnerId: "ptr_1", payload },
    ]);
    const { allocations: _allocations, ...captured } = h;
    expect(plan.result.redemption).toEqual({ ...captured, status: "captured", holdExpiresAt: null, updatedAt: NOW });
    expect(plan.member).toMatchObject({ version: 4, lastActivityAt: NOW });
    expect(plan.nextState.holds).toEqual([]);
    expect(plan.nextState.lots).toEqual([lot("never", 40)]);
  });

  it.each(["captured", "cancelled", "lapsed", "reversed"] as const)("refuses a redemption that is %s", (status) => {
    const gone = { ...hold(), status };
    expectRefusal(() => captureHold(state({ holds: [] }), gone, context()), "redemption_not_capturable", { redemptionStatus: status });
  });

  it.each([
    ["at the instant it runs out", "2026-03-10T12:00:00.000Z"],
    ["after it ran out", "2026-03-10T11:59:59.000Z"],
  ])("refuses a hold %s, as lapsed", (_, holdExpiresAt) => {
    const h = { ...hold(), holdExpiresAt };
    expectRefusal(() => captureHold(state({ holds: [h] }), h, context()), "hold_expired", { redemptionStatus: "lapsed" });
  });

  it("captures a hold one millisecond before it runs out", () => {
    const h = { ...hold(), holdExpiresAt: "2026-03-10T12:00:00.001Z" };
    expect(captureHold(state({ holds: [h] }), h, context()).redemptionUpdates).toEqual([{ id: "red_h", fromStatus: "held", status: "captured" }]);
  });

  it("refuses a member that does not exist", () => {
    const h = hold();
    expectRefusal(() => captureHold(state({ member: null, holds: [h] }), h, context()), "member_not_found");
  });
});
