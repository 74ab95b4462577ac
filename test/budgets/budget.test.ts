// Budget arithmetic as plain functions: money budgets at the redemption value, grants, exhaustion and give-backs.
import { describe, expect, it } from "vitest";
import { budgetPoints, grantFor, isExhausted, pointsLeft, returnableFor, type BudgetCounter } from "../../src/budgets/budget";
import { budgetLimits, budgetRequests, drawRows, returnRows } from "../../src/budgets/draws";
import type { ActiveRule } from "../../src/campaigns/rules";
import { BeyondSafeIntegers } from "../../src/ledger/money";

const value = (points: number, amount: number) => ({ redemptionValue: { points, amount } });
const counter = (fields: Partial<BudgetCounter> = {}): BudgetCounter => ({ limit: 100, confirmed: 0, returned: 0, pending: 0, ...fields });

describe("budgetPoints", () => {
  it.each([
    ["a points budget", { points: 1000 }, value(100, 100), 1000],
    ["money at 100 points = 1.00", { amount: 500 }, value(100, 100), 500],
    ["money at 1 point = 0.05", { amount: 1000 }, value(1, 5), 200],
    ["money rounds down, never past the money", { amount: 500 }, value(3, 7), 214],
    ["money worth less than a point", { amount: 4 }, value(1, 5), 0],
    ["both: the money is the smaller", { points: 1000, amount: 500 }, value(100, 100), 500],
    ["both: the points are the smaller", { points: 300, amount: 500 }, value(100, 100), 300],
  ])("%s", (_name, budget, settings, points) => {
    expect(budgetPoints(budget, settings)).toBe(points);
  });

  it("refuses a money budget whose points would not be exact", () => {
    expect(() => budgetPoints({ amount: 1_000_000_000_000_000 }, value(1_000_000, 1))).toThrow(BeyondSafeIntegers);
  });
});

describe("grants", () => {
  it("grants what is asked, then what is left, then nothing", () => {
    expect(grantFor(counter({ confirmed: 50, pending: 30 }), 10)).toBe(10);
    expect(grantFor(counter({ confirmed: 50, pending: 45 }), 10)).toBe(5);
    expect(grantFor(counter({ confirmed: 60, pending: 40 }), 10)).toBe(0);
  });

  it("counts given-back points as free again", () => {
    expect(pointsLeft(counter({ confirmed: 100, returned: 30 }))).toBe(30);
  });

  it("never answers less than nothing when the limit was lowered below what is issued", () => {
    expect(pointsLeft(counter({ limit: 50, confirmed: 80 }))).toBe(0);
    expect(grantFor(counter({ limit: 50, confirmed: 80 }), 10)).toBe(0);
  });

  it("is exhausted when every point is issued, not merely reserved", () => {
    expect(isExhausted(counter({ confirmed: 60, pending: 40 }))).toBe(false);
    expect(isExhausted(counter({ confirmed: 100 }))).toBe(true);
    expect(isExhausted(counter({ confirmed: 100, returned: 1 }))).toBe(false);
  });

  it("gives back at most what was issued", () => {
    expect(returnableFor(counter({ confirmed: 40, returned: 30 }), 25)).toBe(10);
    expect(returnableFor(counter({ confirmed: 40 }), 25)).toBe(25);
  });
});

describe("the member's draws", () => {
  const rule = (campaignId: string, budget: ActiveRule["budget"]): ActiveRule => ({
    campaignId,
    version: 1,
    startsAt: "2026-12-01T00:00:00Z",
    endsAt: null,
    budget,
    rule: {
      id: "r",
      trigger: { type: "order" },
      conditions: {},
      effect: { type: "fixed", points: 10, per: "order" },
      limits: [],
      priority: 100,
      exclusive: false,
    },
  });

  it("reserves only for campaigns with a budget, at its points", () => {
    const limits = budgetLimits([rule("c-points", { points: 1000 }), rule("c-money", { amount: 250 }), rule("c-free", null), rule("c-points", { points: 1000 })], value(100, 100));
    expect([...limits]).toEqual([
      ["c-points", 1000],
      ["c-money", 250],
    ]);
    expect(
      budgetRequests(
        [
          { campaignId: "c-points", points: 10 },
          { campaignId: "c-free", points: 10 },
          { campaignId: "c-money", points: 0 },
        ],
        limits,
      ),
    ).toEqual([{ campaignId: "c-points", points: 10, limit: 1000 }]);
  });

  it("writes a draw row per campaign that drew, and returns as negative rows", () => {
    const reservation = { reservationId: "bdr-1", granted: [{ campaignId: "a", points: 10 }, { campaignId: "b", points: 5 }] };
    expect(drawRows(reservation, [{ campaignId: "a", points: 8 }, { campaignId: "b", points: 0 }])).toEqual([
      { campaignId: "a", reservationId: "bdr-1", kind: "draw", points: 8 },
    ]);
    expect(returnRows("ret-1", [{ campaignId: "a", points: 3 }])).toEqual([{ campaignId: "a", reservationId: "ret-1", kind: "return", points: -3 }]);
  });
});
