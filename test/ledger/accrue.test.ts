// accrue as a pure function: the lot, entry, order and events an order's points write, debt paid first, tier upgrades, refusals.
import { describe, expect, it } from "vitest";
import { BeyondSafeIntegers } from "../../src/ledger/money";
import { accrue, type AccrualInput } from "../../src/ledger/ops/accrue";
import { context, expectRefusal, lot, member, NOW, state } from "./build";

const input = (amount: number, fields: Partial<AccrualInput> = {}): AccrualInput => ({
  orderId: "o-1",
  amount: { amount, currency: "EUR" },
  channel: "online",
  occurredAt: "2026-03-10T11:00:00.000Z",
  ...fields,
});

describe("accrue", () => {
  it("writes one lot, one earn entry, the order and a points.earned event", () => {
    const plan = accrue(state({ member: member({ lifetimeEarned: 500, qualifyingPoints: 500 }) }), "ada", input(4999), context());
    expect(plan.newLots).toEqual([
      {
        id: "lot_1",
        partnerId: null,
        orderId: "o-1",
        points: 49,
        remaining: 49,
        earnedAt: "2026-03-10T11:00:00.000Z",
        availableAt: "2026-03-10T11:00:00.000Z",
        expiresAt: null,
      },
    ]);
    expect(plan.entries).toEqual([
      {
        id: "ent_1",
        type: "earn",
        points: 49,
        heldPoints: 0,
        lotId: "lot_1",
        orderId: "o-1",
        redemptionId: null,
        partnerId: null,
        channel: "online",
        details: { accrualId: "acc_1", amount: { amount: 4999, currency: "EUR" }, breakdown: [{ rule: "base", points: 49 }], debtPaid: 0 },
        occurredAt: "2026-03-10T11:00:00.000Z",
        settlementPeriod: null,
        createdAt: NOW,
      },
    ]);
    expect(plan.newOrder).toEqual({
      issuer: "",
      orderId: "o-1",
      memberId: "ada",
      accrualId: "acc_1",
      lotId: "lot_1",
      amount: 4999,
      currency: "EUR",
      earnedPoints: 49,
      refundedAmount: 0,
      clawedBackPoints: 0,
      createdAt: NOW,
    });
    expect(plan.events).toEqual([
      { id: "evt_1", type: "points.earned", partnerId: null, payload: { memberId: "ada", orderId: "o-1", accrualId: "acc_1", points: 49, debtPaid: 0, occurredAt: "2026-03-10T11:00:00.000Z", recordedAt: NOW } },
    ]);
    expect(plan.member).toMatchObject({ lifetimeEarned: 549, qualifyingPoints: 549, debt: 0, version: 4, lastActivityAt: NOW, updatedAt: NOW });
    expect(plan.lotDeltas).toEqual([]);
    expect(plan.result).toEqual({
      accrualId: "acc_1",
      orderId: "o-1",
      points: 49,
      breakdown: [{ rule: "base", points: 49 }],
      capped: [],
      debtPaid: 0,
      lot: { id: "lot_1", availableAt: "2026-03-10T11:00:00.000Z", expiresAt: null },
      tierChange: null,
      settlement: null,
    });
    expect(plan.nextState.lots.map((l) => [l.id, l.remaining])).toEqual([["lot_1", 49]]);
  });

  it.each([
    ["1 point per 100 minor units, floored", {}, 4999, 49, "2026-03-10T11:00:00.000Z", null],
    ["the program's rate and rounding", { earnRate: { points: 3, perAmount: 200 }, rounding: "ceil" as const }, 4999, 75, "2026-03-10T11:00:00.000Z", null],
    ["a 14-day pending period and rolling expiry", { pendingDays: 14, expiry: { policy: "rolling" as const, days: 365 } }, 20_000, 200, "2026-03-24T11:00:00.000Z", "2027-03-10T11:00:00.000Z"],
    ["expiry at the end of the following year", { expiry: { policy: "period_end" as const, period: "year" as const, plusPeriods: 1 } }, 1000, 10, "2026-03-10T11:00:00.000Z", "2028-01-01T00:00:00.000Z"],
    ["no date on the lot under the inactivity policy", { expiry: { policy: "inactivity" as const, days: 90 } }, 1000, 10, "2026-03-10T11:00:00.000Z", null],
  ])("earns by %s", (_, settings, amount, points, availableAt, expiresAt) => {
    const plan = accrue(state(), "ada", input(amount), context({ settings }));
    expect(plan.newLots).toEqual([expect.objectContaining({ points, remaining: points, availableAt, expiresAt })]);
    expect(plan.entries.map((e) => [e.type, e.points])).toEqual([["earn", points]]);
  });

  it("multiplies by the member's tier and shows the multiplier's share in the breakdown", () => {
    const settings = { tiers: [{ name: "gold", threshold: 1000, multiplierPercent: 150 }] };
    const plan = accrue(state({ member: member({ tier: "gold", qualifyingPoints: 1000 }) }), "ada", input(4999), context({ settings }));
    expect(plan.result.points).toBe(74);
    expect(plan.result.breakdown).toEqual([
      { rule: "base", points: 49 },
      { rule: "tier_multiplier", points: 25, tier: "gold", multiplierPercent: 150 },
    ]);
  });

  it.each([
    // debt, order amount -> points earned, debt paid, lot remaining, debt left
    [30, 4999, 49, 30, 19, 0],
    [49, 4999, 49, 49, 0, 0],
    [100, 4999, 49, 49, 0, 51],
    [0, 4999, 49, 0, 49, 0],
  ])("with debt %i pays it first: %i minor units earn %i, %i pay debt, the lot keeps %i, debt left %i", (debt, amount, points, debtPaid, remaining, debtLeft) => {
    const plan = accrue(state({ member: member({ debt }) }), "ada", input(amount), context());
    expect(plan.newLots).toEqual([expect.objectContaining({ points, remaining })]);
    // The entry says what the member owns changed by: the lot's part plus the debt paid.
    expect(plan.entries.map((e) => [e.type, e.points, e.type === "earn" && e.details.debtPaid])).toEqual([["earn", points, debtPaid]]);
    expect(plan.member.debt).toBe(debtLeft);
    expect(plan.member.lifetimeEarned).toBe(points);
    expect(plan.result.debtPaid).toBe(debtPaid);
    expect(plan.events[0]!.payload).toMatchObject({ points, debtPaid });
    // A lot that went wholly to debt is written but is not an open lot.
    expect(plan.nextState.lots.map((l) => l.remaining)).toEqual(remaining > 0 ? [remaining] : []);
  });

  it("writes no lot for an order too small to earn, but still records the order and an earn entry of 0", () => {
    const plan = accrue(state(), "ada", input(99), context());
    expect(plan.newLots).toEqual([]);
    expect(plan.entries.map((e) => [e.type, e.points, e.lotId])).toEqual([["earn", 0, null]]);
    expect(plan.newOrder).toMatchObject({ lotId: null, earnedPoints: 0, amount: 99 });
    expect(plan.result.lot).toBeNull();
  });

  it("attributes the lot, entry, order and event to the partner whose key accrued", () => {
    const plan = accrue(state(), "ada", input(1000), context({ partnerId: "ptr_1" }));
    expect(plan.newLots[0]!.partnerId).toBe("ptr_1");
    expect(plan.entries[0]!.partnerId).toBe("ptr_1");
    expect(plan.newOrder!.issuer).toBe("ptr_1");
    expect(plan.events.map((e) => [e.type, e.partnerId])).toEqual([["points.earned", "ptr_1"]]);
  });

  it.each([
    ["points", {}, 60, 109],
    ["spend", { basis: "spend" as const }, 60, 5059],
  ])("upgrades on the accrual that crosses the threshold (qualifying by %s)", (_, tierQualification, qualifying, after) => {
    const settings = { tiers: [{ name: "silver", threshold: 100 }], tierQualification };
    const plan = accrue(state({ member: member({ qualifyingPoints: qualifying }) }), "ada", input(4999), context({ settings }));
    // The order earns at the tier the member had when it came in.
    expect(plan.result.points).toBe(49);
    expect(plan.member).toMatchObject({ tier: "silver", qualifyingPoints: after });
    expect(plan.result.tierChange).toEqual({ from: null, to: "silver" });
    expect(plan.entries.map((e) => [e.type, e.points, e.details])).toEqual([
      ["earn", 49, expect.anything()],
      ["tier", 0, { from: null, to: "silver", reason: "upgrade" }],
    ]);
    expect(plan.events.map((e) => [e.type, e.payload])).toEqual([
      ["points.earned", expect.anything()],
      ["tier.changed", { memberId: "ada", from: null, to: "silver", reason: "upgrade", occurredAt: NOW, recordedAt: NOW }],
    ]);
  });

  it("never moves a member down on accrual", () => {
    const settings = { tiers: [{ name: "silver", threshold: 100 }, { name: "gold", threshold: 1000 }] };
    const plan = accrue(state({ member: member({ tier: "gold", qualifyingPoints: 10 }) }), "ada", input(1000), context({ settings }));
    expect(plan.member).toMatchObject({ tier: "gold", qualifyingPoints: 20 });
    expect(plan.result.tierChange).toBeNull();
    expect(plan.entries.map((e) => e.type)).toEqual(["earn"]);
  });

  it("enrolls an unknown member when the program enrolls on accrual", () => {
    const plan = accrue(state({ member: null }), "ada", input(1000), context({ settings: { enrollOnAccrual: true } }));
    expect(plan.memberIsNew).toBe(true);
    expect(plan.member).toMatchObject({ memberId: "ada", version: 1, lifetimeEarned: 10, lastActivityAt: NOW, enrolledAt: NOW });
    expect(plan.events.map((e) => e.type)).toEqual(["member.enrolled", "points.earned"]);
  });

  it("stamps the entry with its settlement period, or the next open one when its own is closed", () => {
    const open = accrue(state(), "ada", input(1000, { occurredAt: "2026-02-20T00:00:00.000Z" }), context({ closedThrough: "2026-01" }));
    expect(open.entries[0]!.settlementPeriod).toBe("2026-02");
    expect(open.result.settlement).toEqual({ period: "2026-02", movedFrom: null });
    const late = accrue(state(), "ada", input(1000, { occurredAt: "2026-02-20T00:00:00.000Z" }), context({ closedThrough: "2026-02" }));
    expect(late.entries[0]!.settlementPeriod).toBe("2026-03");
    expect(late.result.settlement).toEqual({ period: "2026-03", movedFrom: "2026-02" });
  });

  it("leaves the member's other lots as they are", () => {
    const plan = accrue(state({ lots: [lot("old", 30)] }), "ada", input(1000), context());
    expect(plan.nextState.lots.map((l) => [l.id, l.remaining])).toEqual([
      ["old", 30],
      ["lot_1", 10],
    ]);
  });

  it("refuses an unknown member when the program does not enroll on accrual", () => {
    expectRefusal(() => accrue(state({ member: null }), "ada", input(1000), context()), "member_not_found");
  });

  it("refuses an order in another currency than the program's", () => {
    expectRefusal(() => accrue(state(), "ada", input(1000, { amount: { amount: 1000, currency: "USD" } }), context()), "currency_mismatch");
  });

  it("refuses points beyond safe integers (amount_out_of_range at the member's object)", () => {
    const settings = { earnRate: { points: 1_000_000, perAmount: 1 } };
    expect(() => accrue(state(), "ada", input(1_000_000_000_000_000), context({ settings }))).toThrow(BeyondSafeIntegers);
  });
});
