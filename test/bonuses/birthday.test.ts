// Birthdays and bonuses as plain functions: real calendar dates, the day a birthday falls on, local days in a
// time zone, and bonus points that pay debt first.
import { describe, expect, it } from "vitest";
import { birthdayIn, birthdayProblem, birthdaysOn, celebratesOn, localDate } from "../../src/bonuses/birthday";
import { addBonus, budgetAfter, mergeDraws } from "../../src/bonuses/grant";
import type { EarnResult } from "../../src/campaigns/evaluate";
import { emptyPlan } from "../../src/ledger/plan";
import { context, member, NOW, state } from "../ledger/build";

const today = { year: 2026, month: 12, day: 2 };

describe("birthdayProblem", () => {
  it.each([
    [{ month: 4, day: 30 }, null],
    [{ month: 4, day: 31 }, "birthday.day"],
    [{ month: 2, day: 29 }, null],
    [{ month: 2, day: 29, year: 2004 }, null],
    [{ month: 2, day: 29, year: 1900 }, "birthday.day"],
    [{ month: 2, day: 29, year: 2000 }, null],
    [{ month: 12, day: 2, year: 2026 }, null],
    [{ month: 12, day: 3, year: 2026 }, "birthday.year"],
  ])("%o: %s", (birthday, path) => {
    expect(birthdayProblem(birthday, today)?.path ?? null).toBe(path);
  });
});

describe("the day a birthday falls on", () => {
  it("keeps 29 February on 28 February in common years", () => {
    expect(birthdayIn({ month: 2, day: 29 }, 2027)).toEqual({ year: 2027, month: 2, day: 28 });
    expect(birthdayIn({ month: 2, day: 29 }, 2028)).toEqual({ year: 2028, month: 2, day: 29 });
    expect(birthdaysOn({ year: 2027, month: 2, day: 28 })).toEqual([
      { month: 2, day: 28 },
      { month: 2, day: 29 },
    ]);
    expect(birthdaysOn({ year: 2028, month: 2, day: 28 })).toEqual([{ month: 2, day: 28 }]);
    expect(celebratesOn({ month: 2, day: 29 }, { year: 2027, month: 3, day: 1 })).toBe(false);
  });

  it("reads the local date in the program's time zone", () => {
    expect(localDate(new Date("2027-05-16T11:59:59Z"), "Pacific/Auckland")).toEqual({ year: 2027, month: 5, day: 16 });
    expect(localDate(new Date("2027-05-16T12:00:00Z"), "Pacific/Auckland")).toEqual({ year: 2027, month: 5, day: 17 });
    expect(localDate(new Date("2027-01-01T03:00:00Z"), "America/New_York")).toEqual({ year: 2026, month: 12, day: 31 });
  });
});

const earned = (points: number, draws: EarnResult["budgetDraws"] = []): EarnResult => ({
  points,
  breakdown: [{ rule: "campaign", campaignId: "c", version: 1, ruleId: "r", points, reason: "bonus" }],
  capped: [],
  budgetDraws: draws,
  grants: [{ campaignId: "c", ruleId: "r", points, at: NOW }],
});

describe("addBonus", () => {
  it("pays the member's debt first, in a lot of the program's own available at once", () => {
    const s = state({ member: member({ debt: 30, lifetimeEarned: 100, qualifyingPoints: 100 }) });
    const plan = emptyPlan(s.member!, s, null);
    const ctx = context();
    const granted = addBonus(plan, { details: { source: "enrollment" }, earn: earned(50, [{ campaignId: "c", points: 50 }]), occurredAt: NOW, bonusId: "acc_1", activity: false }, ctx);
    expect(granted).toMatchObject({ points: 50, debtPaid: 30, lot: { availableAt: NOW } });
    expect(plan.newLots).toEqual([expect.objectContaining({ points: 50, remaining: 20, partnerId: null, orderId: null })]);
    expect(plan.member).toMatchObject({ debt: 0, lifetimeEarned: 150, qualifyingPoints: 150 });
    expect(plan.entries[0]).toMatchObject({ type: "earn", points: 50, details: { accrualId: "acc_1", amount: { amount: 0, currency: "EUR" }, debtPaid: 30, bonus: { source: "enrollment" } } });
    expect(plan.ruleGrants).toEqual([expect.objectContaining({ campaignId: "c", ruleId: "r", points: 50, entryId: plan.entries[0]!.id, orderId: null })]);
    expect(plan.budgetDraws).toEqual([{ campaignId: "c", points: 50 }]);
  });

  it("adds nothing for no points", () => {
    const s = state({ member: member() });
    const plan = emptyPlan(s.member!, s, null);
    expect(addBonus(plan, { details: { source: "birthday", year: 2026 }, earn: { ...earned(0), breakdown: [], grants: [] }, occurredAt: NOW, bonusId: "acc_1", activity: false }, context()).points).toBe(0);
    expect(plan.entries).toEqual([]);
    expect(plan.newLots).toEqual([]);
  });

  it("sums draws per campaign and takes them from what is left", () => {
    expect(mergeDraws([{ campaignId: "a", points: 10 }], [{ campaignId: "a", points: 5 }, { campaignId: "b", points: 1 }])).toEqual([
      { campaignId: "a", points: 15 },
      { campaignId: "b", points: 1 },
    ]);
    expect([...budgetAfter(new Map([["a", 12]]), [{ campaignId: "a", points: 15 }, { campaignId: "b", points: 1 }])]).toEqual([["a", 0]]);
  });
});
