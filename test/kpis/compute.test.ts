// The KPI arithmetic as plain functions: a plan's rollup figures, the liability and its breakage, the cohort matrix.
import { describe, expect, it } from "vitest";
import { cohortMatrix, computeKpis, liability, quotient, rate } from "../../src/kpis/compute";
import { kpiWritesOfPlan } from "../../src/kpis/rollups";
import { accrue } from "../../src/ledger/ops/accrue";
import { defaultSettings } from "../../src/ledger/settings";
import type { OpContext } from "../../src/ledger/plan";

let counter = 0;
const ctx = (now: string): OpContext => ({
  settings: defaultSettings({ enrollOnAccrual: true, timeZone: "Europe/Berlin" }),
  now: new Date(now),
  newId: (prefix) => `${prefix}_${++counter}`,
  partnerId: null,
});

describe("ratios", () => {
  it("floor toward minus infinity and answer null for a zero denominator", () => {
    expect(rate(1, 3)).toEqual({ numerator: 1, denominator: 3, basisPoints: 3333 });
    expect(rate(-1, 3).basisPoints).toBe(-3334);
    expect(rate(5, 0).basisPoints).toBeNull();
    expect(quotient(7, 2).value).toBe(3);
    expect(quotient(Number.MAX_SAFE_INTEGER, 1).value).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe("kpiWritesOfPlan", () => {
  it("counts an accrual as a member's order on the program's local day, with its enrolment and points by rule", () => {
    // 23:30 UTC on 31 March is 1 April in Berlin.
    const plan = accrue({ member: null, lots: [], holds: [] }, "ada", { orderId: "o-1", amount: { amount: 1234, currency: "EUR" }, channel: "store", occurredAt: "2026-03-31T23:30:00.000Z" }, ctx("2026-04-02T10:00:00Z"));
    const writes = kpiWritesOfPlan(plan, "Europe/Berlin");
    expect(writes.orders).toEqual([
      expect.objectContaining({ orderId: "o-1", customer: "m:ada", isMember: true, channel: "store", amount: 1234, day: "2026-04-01", cohort: "2026-04" }),
    ]);
    expect(writes.days).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ day: "2026-04-02", enrollments: 1 }),
        expect.objectContaining({ day: "2026-04-01", channel: "store", pointsIssued: 12 }),
      ]),
    );
    expect(writes.rules).toEqual([{ day: "2026-04-01", partnerId: "", campaignId: "", rule: "base", points: 12 }]);
    expect(writes.earnCohorts).toEqual([{ earnMonth: "2026-04", issued: 12, expired: 0 }]);
    expect(writes.totals).toEqual(expect.arrayContaining([{ name: "tier:", delta: 1 }, { name: "lot_points", delta: 12 }]));
  });
});

describe("liability", () => {
  const settings = defaultSettings({ expiry: { policy: "rolling", days: 30 }, redemptionValue: { points: 100, amount: 50 } });
  it("adjusts by the breakage of earn months whose points are all past expiry, and only those", () => {
    const figures = liability({
      lotPoints: 1000,
      heldPoints: 200,
      pendingPoints: 100,
      earnCohorts: [
        { earnMonth: "2026-01", issued: 1000, expired: 250 },
        { earnMonth: "2026-02", issued: 1000, expired: 150 },
        // Not matured on 20 April: lots of late March expire in late April.
        { earnMonth: "2026-03", issued: 1000, expired: 900 },
      ],
      settings,
      now: new Date("2026-04-20T00:00:00Z"),
    });
    expect(figures).toEqual({
      outstandingPoints: 1200,
      availablePoints: 900,
      pendingPoints: 100,
      heldPoints: 200,
      value: 600,
      expectedBreakageRate: { numerator: 400, denominator: 2000, basisPoints: 2000 },
      maturedEarnMonths: 2,
      adjustedValue: 480,
    });
  });

  it("books the full value when points never expire", () => {
    const never = liability({ lotPoints: 10, heldPoints: 0, pendingPoints: 0, earnCohorts: [{ earnMonth: "2020-01", issued: 10, expired: 5 }], settings: defaultSettings(), now: new Date() });
    expect(never.adjustedValue).toBe(never.value);
    expect(never.maturedEarnMonths).toBe(0);
  });
});

describe("computeKpis", () => {
  it("derives CLV from retention: revenue per customer over churn", () => {
    const [march] = computeKpis({
      interval: "month",
      periods: ["2026-03"],
      days: [{ day: "2026-03-05", isMember: true, orders: 6, revenue: 6000, refunds: 0, refundedAmount: 0, newCustomers: 1, enrollments: 1, pointsIssued: 60, pointsRedeemed: 0, pointsExpired: 0, pointsClawedBack: 0, tierMoves: 0, rewardPoints: 0, donationPoints: 0, donationAmount: 0 }],
      counts: [
        { kind: "buy", period: "2026-02", isMember: true, customers: 4, retained: 0, repeaters: 0 },
        { kind: "buy", period: "2026-03", isMember: true, customers: 4, retained: 3, repeaters: 2 },
      ],
      costs: [{ month: "2026-03", channel: "all", amount: 500 }],
      channel: null,
      redemptionValue: { points: 100, amount: 100 },
      dayCounts: [],
    });
    // 6000 / 4 customers = 1500 per customer; 3 of 4 came back, churn 1/4: 4 periods of lifetime.
    expect(march!.customerLifetimeValue!.members).toEqual({ revenuePerCustomer: { numerator: 6000, denominator: 4, value: 1500 }, expectedLifetime: { numerator: 4, denominator: 1, value: 4 }, value: 6000 });
    expect(march!.retentionRate!.members.basisPoints).toBe(7500);
    expect(march!.simpleRetentionRate!.members).toEqual({ numerator: 3, denominator: 4, basisPoints: 7500 });
    // CAC 500 per enrolment; LTV:CAC = 6000 / 500 = 12.
    expect(march!.ltvToCac).toEqual({ basisPoints: 120_000 });
  });
});

describe("cohortMatrix", () => {
  it("fills every month since enrolment and pools month-over-month retention for the CLV", () => {
    const [cohort] = cohortMatrix(
      [
        { cohort: "2026-01", month: "2026-01", enrolled: 10, active: 10, orders: 10, revenue: 1000 },
        { cohort: "2026-01", month: "2026-03", enrolled: 0, active: 5, orders: 5, revenue: 500 },
      ],
      ["2026-01"],
      "2026-03",
    );
    expect(cohort!.months.map((m) => m.activeMembers)).toEqual([10, 0, 5]);
    expect(cohort!.months[2]!.retentionRate.basisPoints).toBe(5000);
    // Stayed 0 + 5 over 10 + 0 before: retention 1/2, lifetime 2 months; 1500 over 15 active member-months = 100.
    expect(cohort!.monthlyRetention).toEqual({ numerator: 5, denominator: 10, basisPoints: 5000 });
    expect(cohort!.customerLifetimeValue).toBe(200);
  });
});
