// The rules engine as a pure function: a table of rule cases (every condition and effect, rounding, stacking,
// exclusivity, time zones and DST, caps, budgets, limits), then properties over random rules and orders.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateEarning, type EarnLine, type EarnResult, type EarnTrigger } from "../../src/campaigns/evaluate";
import { computeEarning } from "../../src/ledger/earning";
import { defaultSettings } from "../../src/ledger/settings";
import { localPeriodBounds } from "../../src/campaigns/calendar";
import { grantHorizon } from "../../src/campaigns/limits";
import { budget, grant, input, item, NOON, order, rule, type InputFields, type RuleInput } from "./build";

const PRIME = "mpl_01JDZ8K3M4N5P6Q7R8S9T0V1W2";
const GOLD = { tiers: [{ name: "gold", threshold: 0, multiplierPercent: 150 }] };
const campaignLines = (result: EarnResult) => result.breakdown.filter((line): line is Extract<EarnLine, { rule: "campaign" }> => line.rule === "campaign");
/** [ruleId, points] of each campaign line, in breakdown order. */
const ruleLines = (result: EarnResult) => campaignLines(result).map((line) => [line.ruleId, line.points]);
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

describe("evaluateEarning without campaigns", () => {
  it.each([
    { amount: 10_000, tier: null, rounding: "floor" as const },
    { amount: 1_999, tier: "gold", rounding: "floor" as const },
    { amount: 1_999, tier: "gold", rounding: "round" as const },
    { amount: 1_950, tier: "gold", rounding: "ceil" as const },
    { amount: 0, tier: "gold", rounding: "ceil" as const },
    { amount: 99, tier: null, rounding: "round" as const },
  ])("earns what the base rate and tier always gave: $amount, tier $tier, $rounding", ({ amount, tier, rounding }) => {
    const settings = { ...GOLD, rounding };
    const result = evaluateEarning(input({ trigger: order({ amount }), tier, settings }));
    expect(result).toEqual({ ...computeEarning(amount, defaultSettings(settings), tier), capped: [], budgetDraws: [], grants: [] });
  });

  it("gives nothing for an activity, an enrollment or a birthday, whatever the tier multiplier's scope", () => {
    for (const trigger of [{ type: "activity", activityType: "review" }, { type: "enrollment" }, { type: "birthday" }] as const) {
      for (const tierMultiplierScope of ["base", "all"] as const) {
        const settings = { ...GOLD, earning: { tierMultiplierScope } };
        expect(evaluateEarning(input({ trigger, tier: "gold", settings }))).toEqual({ points: 0, breakdown: [], capped: [], budgetDraws: [], grants: [] });
      }
    }
  });
});

describe("conditions", () => {
  // A rule of 7 points per order under one condition; the order (100.00 EUR, 100 base points) either earns it or not.
  const cases: { what: string; conditions: RuleInput["conditions"]; matches: InputFields[]; misses: InputFields[]; campaign?: Parameters<typeof rule>[1] }[] = [
    { what: "amount at least (inclusive)", conditions: { amountAtLeast: 10_000 }, matches: [{}], misses: [{ trigger: order({ amount: 9_999 }) }] },
    { what: "amount at most (inclusive)", conditions: { amountAtMost: 10_000 }, matches: [{}, { trigger: order({ amount: 0 }) }], misses: [{ trigger: order({ amount: 10_001 }) }] },
    { what: "amount between", conditions: { amountAtLeast: 5_000, amountAtMost: 6_000 }, matches: [{ trigger: order({ amount: 5_000 }) }, { trigger: order({ amount: 6_000 }) }], misses: [{ trigger: order({ amount: 6_001 }) }, { trigger: order({ amount: 4_999 }) }] },
    { what: "channel in", conditions: { channels: ["store", "app"] }, matches: [{ trigger: order({ channel: "store" }) }, { trigger: order({ channel: "app" }) }], misses: [{}] },
    { what: "store in", conditions: { stores: ["berlin-1"] }, matches: [{ trigger: order({ storeId: "berlin-1" }) }], misses: [{}, { trigger: order({ storeId: "hamburg-2" }) }] },
    { what: "partner in", conditions: { partners: ["p_cafe"] }, matches: [{ trigger: order({ partnerId: "p_cafe" }) }], misses: [{}, { trigger: order({ partnerId: "p_books" }) }] },
    { what: "first order", conditions: { firstOrder: true }, matches: [{ trigger: order({ firstOrder: true }) }], misses: [{}] },
    { what: "not the first order", conditions: { firstOrder: false }, matches: [{}], misses: [{ trigger: order({ firstOrder: true }) }] },
    { what: "tier in", conditions: { tiers: ["gold"] }, matches: [{ tier: "gold", settings: GOLD }], misses: [{}, { tier: "silver" }] },
    { what: "no tier (null)", conditions: { tiers: [null] }, matches: [{}], misses: [{ tier: "gold", settings: GOLD }] },
    { what: "attributes equal (strictly)", conditions: { attributes: { vip: true, city: "Berlin", visits: 3 } }, matches: [{ attributes: { vip: true, city: "Berlin", visits: 3, other: 1 } }], misses: [{}, { attributes: { vip: "true", city: "Berlin", visits: 3 } }, { attributes: { vip: true, city: "berlin", visits: 3 } }, { attributes: { vip: true, city: "Berlin", visits: "3" } }] },
    { what: "line item by SKU", conditions: { items: { skus: ["latte"] } }, matches: [{ trigger: order({ items: [item("cake", 400), item("latte", 350)] }) }], misses: [{}, { trigger: order({ items: [item("cake", 400)] }) }] },
    { what: "line item by category", conditions: { items: { categories: ["coffee"] } }, matches: [{ trigger: order({ items: [item("latte", 350, 1, "coffee")] }) }], misses: [{ trigger: order({ items: [item("latte", 350)] }) }, { trigger: order({ items: [item("cake", 400, 1, "bakery")] }) }] },
    { what: "any item but an excluded SKU", conditions: { items: { excludeSkus: ["gift-card"] } }, matches: [{ trigger: order({ items: [item("gift-card", 5_000), item("latte", 350)] }) }], misses: [{ trigger: order({ items: [item("gift-card", 5_000)] }) }] },
    { what: "a category but an excluded SKU", conditions: { items: { categories: ["coffee"], excludeSkus: ["decaf"] } }, matches: [{ trigger: order({ items: [item("espresso", 250, 1, "coffee")] }) }], misses: [{ trigger: order({ items: [item("decaf", 250, 1, "coffee")] }) }] },
    { what: "a SKU but an excluded category", conditions: { items: { skus: ["mug", "latte"], excludeCategories: ["merch"] } }, matches: [{ trigger: order({ items: [item("latte", 350, 1, "coffee")] }) }], misses: [{ trigger: order({ items: [item("mug", 900, 1, "merch")] }) }] },
    { what: "a date window, [from, to)", conditions: { windows: [{ from: "2026-03-10T00:00:00Z", to: "2026-03-10T12:00:00Z" }] }, matches: [{ at: "2026-03-10T00:00:00.000Z" }, { at: "2026-03-10T11:59:59.999Z" }], misses: [{ at: "2026-03-10T12:00:00.000Z" }, { at: "2026-03-09T23:59:59.999Z" }] },
    { what: "any of several windows", conditions: { windows: [{ from: "2026-02-01T00:00:00Z", to: "2026-02-02T00:00:00Z" }, { from: "2026-03-10T00:00:00+01:00", to: "2026-03-11T00:00:00+01:00" }] }, matches: [{}, { at: "2026-02-01T10:00:00Z" }], misses: [{ at: "2026-03-10T23:00:00Z" }] },
    { what: "a day of the week (UTC)", conditions: { daysOfWeek: [2] }, matches: [{}], misses: [{ at: "2026-03-11T00:00:00Z" }, { at: "2026-03-09T23:59:59Z" }] },
    { what: "the weekend (UTC)", conditions: { daysOfWeek: [6, 7] }, matches: [{ at: "2026-03-14T00:00:00Z" }, { at: "2026-03-15T23:59:59Z" }], misses: [{}, { at: "2026-03-16T00:00:00Z" }, { at: "2026-03-13T23:59:59Z" }] },
    { what: "hours of the day, [from, to)", conditions: { hours: { from: 12, to: 14 } }, matches: [{}, { at: "2026-03-10T13:59:59Z" }], misses: [{ at: "2026-03-10T14:00:00Z" }, { at: "2026-03-10T11:59:59Z" }] },
    { what: "hours to midnight", conditions: { hours: { from: 22, to: 24 } }, matches: [{ at: "2026-03-10T23:59:59Z" }, { at: "2026-03-10T22:00:00Z" }], misses: [{ at: "2026-03-11T00:00:00Z" }] },
    { what: "several conditions at once", conditions: { amountAtLeast: 5_000, channels: ["online"], daysOfWeek: [2], tiers: [null] }, matches: [{}], misses: [{ trigger: order({ amount: 4_000 }) }, { trigger: order({ channel: "store" }) }, { at: "2026-03-11T12:00:00Z" }, { tier: "gold", settings: GOLD }] },
    { what: "plan in", conditions: { plans: [PRIME] }, matches: [{ plans: { planIds: ["mpl_other", PRIME] } }], misses: [{}, { plans: { planIds: ["mpl_other"] } }] },
    {
      what: "early access by a plan's days before startsAt",
      conditions: {},
      campaign: { startsAt: "2026-03-12T12:00:00Z" },
      matches: [{ plans: { planIds: [PRIME], earlyAccessDays: 2 } }, { plans: { planIds: [PRIME], earlyAccessDays: 5 } }],
      misses: [{}, { plans: { planIds: [PRIME], earlyAccessDays: 1 } }, { at: "2026-03-10T11:59:59.999Z", plans: { planIds: [PRIME], earlyAccessDays: 2 } }],
    },
    {
      what: "early access by the campaign's windows, for a plan or a tier",
      conditions: {},
      campaign: { startsAt: "2026-04-01T00:00:00Z", earlyAccess: [{ planId: PRIME, opensAt: "2026-03-10T00:00:00Z" }, { tier: "gold", opensAt: "2026-03-10T12:00:00Z" }] },
      matches: [{ plans: { planIds: [PRIME] } }, { tier: "gold", settings: GOLD }],
      misses: [{}, { plans: { planIds: ["mpl_other"] } }, { at: "2026-03-09T23:59:59Z", plans: { planIds: [PRIME] } }, { at: "2026-03-10T11:00:00Z", tier: "gold", settings: GOLD }],
    },
    { what: "the campaign version's window, [startsAt, endsAt)", conditions: {}, campaign: { startsAt: "2026-03-10T12:00:00Z", endsAt: "2026-03-11T00:00:00Z" }, matches: [{}, { at: "2026-03-10T23:59:59.999Z" }], misses: [{ at: "2026-03-10T11:59:59.999Z" }, { at: "2026-03-11T00:00:00Z" }] },
  ];

  describe.each(cases)("$what", ({ conditions, matches, misses, campaign }) => {
    const active = rule({ conditions, effect: { type: "fixed", points: 7 } }, campaign);
    it.each(matches.map((fields, index) => ({ index, fields })))("matches case $index", ({ fields }) => {
      const result = evaluateEarning(input({ ...fields, rules: [active] }));
      expect(ruleLines(result)).toEqual([["r1", 7]]);
    });
    it.each(misses.map((fields, index) => ({ index, fields })))("does not match case $index", ({ fields }) => {
      const result = evaluateEarning(input({ ...fields, rules: [active] }));
      expect(ruleLines(result)).toEqual([]);
      expect(result.capped).toEqual([]);
    });
  });

  it("matches a rule only on its own trigger and activity type", () => {
    const rules = [
      rule({ id: "order", effect: { type: "fixed", points: 1 } }),
      rule({ id: "review", trigger: { type: "activity", activityType: "review" }, effect: { type: "fixed", points: 2 } }),
      rule({ id: "survey", trigger: { type: "activity", activityType: "survey" }, effect: { type: "fixed", points: 3 } }),
      rule({ id: "custom", trigger: { type: "activity", activityType: "custom:quiz" }, effect: { type: "fixed", points: 4 } }),
      rule({ id: "enrollment", trigger: { type: "enrollment" }, effect: { type: "fixed", points: 5 } }),
      rule({ id: "birthday", trigger: { type: "birthday" }, effect: { type: "fixed", points: 6 } }),
    ];
    const triggers: [EarnTrigger, string][] = [
      [order(), "order"],
      [{ type: "activity", activityType: "review" }, "review"],
      [{ type: "activity", activityType: "survey" }, "survey"],
      [{ type: "activity", activityType: "custom:quiz" }, "custom"],
      [{ type: "activity", activityType: "social_share" }, ""],
      [{ type: "enrollment" }, "enrollment"],
      [{ type: "birthday" }, "birthday"],
    ];
    for (const [trigger, expected] of triggers) {
      expect(campaignLines(evaluateEarning(input({ trigger, rules }))).map((line) => line.ruleId)).toEqual(expected ? [expected] : []);
    }
  });
});

describe("effects", () => {
  const coffee = [item("latte", 999, 1, "coffee"), item("cake", 500, 2, "bakery"), item("beans", 1_001, 1, "coffee")];
  const coffeeOnly = { items: { categories: ["coffee"] } };
  // Default program: 1 point per 1.00, floor; 100 points are worth 1.00.
  it.each([
    { what: "multiply the order's base points (double)", effect: { type: "multiply", percent: 200 }, trigger: order(), points: 100, multiplierPercent: 200 },
    { what: "multiply the order's base points (x5)", effect: { type: "multiply", percent: 500 }, trigger: order(), points: 400, multiplierPercent: 500 },
    { what: "multiply the matching items' base points", effect: { type: "multiply", percent: 300, scope: "items" }, conditions: coffeeOnly, trigger: order({ amount: 3_000, items: coffee }), points: 40, items: [["latte", 20, 1], ["beans", 20, 1]], multiplierPercent: 300 },
    { what: "multiply every item without an item condition", effect: { type: "multiply", percent: 200, scope: "items" }, trigger: order({ amount: 3_000, items: coffee }), points: 30, items: [["latte", 10, 1], ["cake", 10, 2], ["beans", 10, 1]], multiplierPercent: 200 },
    { what: "fixed points once per order", effect: { type: "fixed", points: 50 }, trigger: order(), points: 50 },
    { what: "fixed points per matching line item", effect: { type: "fixed", points: 5, per: "item" }, conditions: coffeeOnly, trigger: order({ items: coffee }), points: 10, items: [["latte", 5, 1], ["beans", 5, 1]] },
    { what: "fixed points per unit", effect: { type: "fixed", points: 3, per: "unit" }, trigger: order({ items: coffee }), points: 12, items: [["latte", 3, 1], ["cake", 6, 2], ["beans", 3, 1]] },
    { what: "points per amount on matching items", effect: { type: "per_amount", points: 5, perAmount: 100 }, conditions: coffeeOnly, trigger: order({ items: coffee }), points: 100, items: [["latte", 50, 1], ["beans", 50, 1]] },
    { what: "points per amount on the order without an item condition", effect: { type: "per_amount", points: 1, perAmount: 1_000 }, trigger: order({ amount: 12_345, items: coffee }), points: 12 },
    { what: "cashback on the order", effect: { type: "cashback", basisPoints: 500 }, trigger: order(), points: 500 },
    { what: "cashback on the matching items", effect: { type: "cashback", basisPoints: 1_000, scope: "items" }, conditions: coffeeOnly, trigger: order({ items: coffee }), points: 200, items: [["latte", 100, 1], ["beans", 100, 1]] },
    { what: "cashback at another redemption value (1 point = 0.02)", effect: { type: "cashback", basisPoints: 500 }, settings: { redemptionValue: { points: 1, amount: 2 } }, trigger: order(), points: 250 },
    { what: "cashback of 0.01 %", effect: { type: "cashback", basisPoints: 1 }, trigger: order({ amount: 1_000_000 }), points: 100 },
  ] as const)("$what", ({ effect, trigger, points, ...rest }) => {
    const conditions = "conditions" in rest ? rest.conditions : {};
    const settings = "settings" in rest ? rest.settings : undefined;
    const result = evaluateEarning(input({ trigger, settings, rules: [rule({ effect, conditions })] }));
    const [line] = campaignLines(result);
    expect(line?.points).toBe(points);
    expect(line?.items?.map((i) => [i.sku, i.points, i.quantity])).toEqual("items" in rest ? rest.items : undefined);
    expect(line?.multiplierPercent).toBe("multiplierPercent" in rest ? rest.multiplierPercent : undefined);
    expect(result.points).toBe(sum(result.breakdown.map((l) => l.points)));
    // No limit or cooldown reads these back: they are only the stats', and wait with the KPI figures.
    expect(result.grants).toEqual([{ campaignId: "cmp_a", ruleId: "r1", points, at: "2026-03-10T12:00:00.000Z", counted: false }]);
  });

  it("says why the rule applied, with the rule's name first", () => {
    const rules = [rule({ name: "Coffee week", effect: { type: "multiply", percent: 300, scope: "items" }, conditions: coffeeOnly })];
    const [line] = campaignLines(evaluateEarning(input({ trigger: order({ items: coffee }), rules })));
    expect(line).toMatchObject({ campaignId: "cmp_a", version: 1, ruleId: "r1", reason: "Coffee week: 300 % of the base points on 2 matching items" });
  });

  it("does not match an item-scoped effect on an order without items", () => {
    for (const effect of [{ type: "multiply", percent: 200, scope: "items" }, { type: "fixed", points: 2, per: "unit" }, { type: "cashback", basisPoints: 100, scope: "items" }] as const) {
      const result = evaluateEarning(input({ rules: [rule({ effect })] }));
      expect(result.breakdown).toEqual([{ rule: "base", points: 100 }]);
      expect(result.capped).toEqual([]);
    }
  });

  it("splits the rounded total over items by largest remainder, ties to the earlier item", () => {
    const items = [item("a", 333), item("b", 333), item("c", 334)];
    const result = evaluateEarning(input({ trigger: order({ amount: 1_000, items }), rules: [rule({ effect: { type: "multiply", percent: 300, scope: "items" } })] }));
    expect(campaignLines(result)[0]!.items).toEqual([
      { sku: "a", points: 7, quantity: 1 },
      { sku: "b", points: 6, quantity: 1 },
      { sku: "c", points: 7, quantity: 1 },
    ]);
  });
});

describe("rounding", () => {
  // Each rule is rounded once, on its whole amount, with the program's rounding.
  it.each([
    // 19.00 EUR: base 19; +50 % of 19 = 9.5.
    { what: "multiply on the order", rule: { effect: { type: "multiply", percent: 150 } }, trigger: order({ amount: 1_900 }), floor: 9, round: 10, ceil: 10 },
    // Three items of 1.50 at +50 %: 0.75 each, 2.25 together: once per rule, not once per item (which would floor to 0).
    { what: "multiply on items, once for all of them", rule: { effect: { type: "multiply", percent: 150, scope: "items" } }, trigger: order({ amount: 450, items: [item("a", 150), item("b", 150), item("c", 150)] }), floor: 2, round: 2, ceil: 3 },
    // 5 % of 19.99 = 99.95 cents = 99.95 points.
    { what: "cashback", rule: { effect: { type: "cashback", basisPoints: 500 } }, trigger: order({ amount: 1_999 }), floor: 99, round: 100, ceil: 100 },
    // 3 points per 2.00 on 4.50: 6.75.
    { what: "per amount", rule: { effect: { type: "per_amount", points: 3, perAmount: 200 } }, trigger: order({ amount: 450 }), floor: 6, round: 7, ceil: 7 },
    // An exact half rounds up.
    { what: "an exact half", rule: { effect: { type: "per_amount", points: 1, perAmount: 2 } }, trigger: order({ amount: 3 }), floor: 1, round: 2, ceil: 2 },
  ] as const)("$what", ({ rule: fields, trigger, ...expected }) => {
    for (const rounding of ["floor", "round", "ceil"] as const) {
      const result = evaluateEarning(input({ trigger, settings: { rounding }, rules: [rule(fields)] }));
      expect([rounding, campaignLines(result)[0]?.points]).toEqual([rounding, expected[rounding]]);
    }
  });

  it("splits a rounded-up item total so the items still add up to the line", () => {
    const items = [item("a", 150), item("b", 150), item("c", 150)];
    const result = evaluateEarning(input({ trigger: order({ amount: 450, items }), settings: { rounding: "ceil" }, rules: [rule({ effect: { type: "multiply", percent: 150, scope: "items" } })] }));
    expect(campaignLines(result)[0]!.items!.map((i) => i.points)).toEqual([1, 1, 1]);
  });
});

describe("stacking", () => {
  const fixed = (id: string, points: number, fields: Partial<RuleInput> = {}, campaignId = "cmp_a") =>
    rule({ id, effect: { type: "fixed", points }, ...fields }, { campaignId });

  it("applies every matching rule, higher priority first", () => {
    const result = evaluateEarning(input({ rules: [fixed("low", 1, { priority: 10 }), fixed("high", 2, { priority: 500 }), fixed("mid", 3)] }));
    expect(ruleLines(result)).toEqual([["high", 2], ["mid", 3], ["low", 1]]);
    expect(result.points).toBe(106);
  });

  it("breaks priority ties by campaign id, then rule id, whatever the order given", () => {
    const rules = [fixed("b", 1, {}, "cmp_b"), fixed("a", 2, {}, "cmp_b"), fixed("z", 3, {}, "cmp_a"), fixed("c", 4, {}, "cmp_a")];
    const expected = [["c", 4], ["z", 3], ["a", 2], ["b", 1]];
    expect(ruleLines(evaluateEarning(input({ rules })))).toEqual(expected);
    expect(ruleLines(evaluateEarning(input({ rules: [...rules].reverse() })))).toEqual(expected);
  });

  it("applies no rule after an exclusive one that gives points", () => {
    const rules = [fixed("top", 9, { priority: 900 }), fixed("only", 5, { priority: 500, exclusive: true }), fixed("low", 1, { priority: 10 }), fixed("same", 2, { priority: 500 }, "cmp_b")];
    expect(ruleLines(evaluateEarning(input({ rules })))).toEqual([["top", 9], ["only", 5]]);
  });

  it("lets lower rules apply when the exclusive rule does not match", () => {
    const rules = [fixed("only", 5, { priority: 500, exclusive: true, conditions: { channels: ["store"] } }), fixed("low", 1, { priority: 10 })];
    expect(ruleLines(evaluateEarning(input({ rules })))).toEqual([["low", 1]]);
  });

  it("lets lower rules apply when the exclusive rule's budget is spent", () => {
    const rules = [rule({ id: "only", effect: { type: "fixed", points: 5 }, priority: 500, exclusive: true }, { campaignId: "cmp_x", budget: budget(100) }), fixed("low", 1, { priority: 10 })];
    const result = evaluateEarning(input({ rules, budgets: { cmp_x: 0 } }));
    expect(ruleLines(result)).toEqual([["low", 1]]);
    expect(result.capped).toEqual([{ campaignId: "cmp_x", version: 1, ruleId: "only", capped: "budget", points: 5 }]);
  });

  it("multiplies and adds: double points plus a fixed bonus plus cashback", () => {
    const rules = [
      rule({ id: "double", effect: { type: "multiply", percent: 200 }, priority: 300 }),
      rule({ id: "bonus", effect: { type: "fixed", points: 25 }, conditions: { amountAtLeast: 5_000 }, priority: 200 }),
      rule({ id: "back", effect: { type: "cashback", basisPoints: 100 } }),
    ];
    const result = evaluateEarning(input({ rules }));
    expect(ruleLines(result)).toEqual([["double", 100], ["bonus", 25], ["back", 100]]);
    expect(result.points).toBe(325);
  });
});

describe("the tier multiplier", () => {
  const bonus = rule({ effect: { type: "fixed", points: 50 } });
  it("applies to the base points only by default, as its own last line", () => {
    const result = evaluateEarning(input({ tier: "gold", settings: GOLD, rules: [bonus] }));
    expect(result.breakdown).toEqual([
      { rule: "base", points: 100 },
      expect.objectContaining({ rule: "campaign", ruleId: "r1", points: 50 }),
      { rule: "tier_multiplier", points: 50, tier: "gold", multiplierPercent: 150 },
    ]);
    expect(result.points).toBe(200);
  });

  it("applies to the base and every rule's points with scope all, rounded once", () => {
    // floor((19.99 + 50) * 1.5) = 104; minus 19 base and 50 rule points.
    const settings = { ...GOLD, earning: { tierMultiplierScope: "all" as const } };
    const result = evaluateEarning(input({ trigger: order({ amount: 1_999 }), tier: "gold", settings, rules: [bonus] }));
    expect(result.breakdown.map((line) => line.points)).toEqual([19, 50, 35]);
    expect(result.points).toBe(104);
  });

  it("multiplies an activity's points only with scope all", () => {
    const review = rule({ trigger: { type: "activity", activityType: "review" }, effect: { type: "fixed", points: 25 } });
    const trigger = { type: "activity", activityType: "review" } as const;
    expect(evaluateEarning(input({ trigger, tier: "gold", settings: GOLD, rules: [review] })).points).toBe(25);
    const all = evaluateEarning(input({ trigger, tier: "gold", settings: { ...GOLD, earning: { tierMultiplierScope: "all" } }, rules: [review] }));
    expect(all.breakdown.map((line) => [line.rule, line.points])).toEqual([["campaign", 25], ["tier_multiplier", 12]]);
  });
});

describe("the multiplier cap", () => {
  const rules = [
    rule({ id: "double", effect: { type: "multiply", percent: 200 }, priority: 200 }),
    rule({ id: "bonus", effect: { type: "fixed", points: 30 } }),
  ];
  const cap = (maxMultiplierPercent: number, extra: InputFields = {}) =>
    evaluateEarning(input({ rules, ...extra, settings: { ...extra.settings, earning: { ...(extra.settings?.earning ?? {}), maxMultiplierPercent } } }));

  it("leaves an order exactly at the cap alone", () => {
    const result = cap(230);
    expect(ruleLines(result)).toEqual([["double", 100], ["bonus", 30]]);
    expect(result.capped).toEqual([]);
  });

  it("trims the lowest-priority rule first, one point over the cap", () => {
    const result = cap(229);
    expect(ruleLines(result)).toEqual([["double", 100], ["bonus", 29]]);
    expect(campaignLines(result)[1]!.capped).toBe("multiplier_cap");
    expect(result.points).toBe(229);
    expect(result.grants.map((g) => g.points)).toEqual([100, 29]);
  });

  it("moves a rule trimmed to nothing to capped, then trims the next", () => {
    const result = cap(150);
    expect(ruleLines(result)).toEqual([["double", 50]]);
    expect(result.capped).toEqual([{ campaignId: "cmp_a", version: 1, ruleId: "bonus", capped: "multiplier_cap", points: 30 }]);
    expect(result.points).toBe(150);
  });

  it("keeps only the base at a cap of 100 %", () => {
    const result = cap(100);
    expect(result.breakdown).toEqual([{ rule: "base", points: 100 }]);
    expect(result.capped.map((c) => [c.ruleId, c.capped, c.points])).toEqual([["double", "multiplier_cap", 100], ["bonus", "multiplier_cap", 30]]);
  });

  it("counts the tier line and trims it last", () => {
    const gold300 = { tiers: [{ name: "gold", threshold: 0, multiplierPercent: 300 }] };
    const result = cap(200, { tier: "gold", settings: gold300 });
    expect(result.breakdown).toEqual([{ rule: "base", points: 100 }, { rule: "tier_multiplier", points: 100, tier: "gold", multiplierPercent: 300, capped: "multiplier_cap" }]);
    expect(result.points).toBe(200);
  });

  it("finds the most rule points that fit when the tier multiplies them too", () => {
    // floor((100 + R) * 1.5) <= 200 holds up to R = 33 (199); R = 34 gives 201.
    const result = cap(200, { tier: "gold", settings: { ...GOLD, earning: { tierMultiplierScope: "all" } } });
    expect(result.breakdown.map((line) => line.points)).toEqual([100, 33, 66]);
    expect(result.points).toBe(199);
  });

  it("returns trimmed points to the budget: the draw is what was granted", () => {
    const budgeted = [rule({ id: "bonus", effect: { type: "fixed", points: 30 } }, { campaignId: "cmp_b", budget: budget(1_000) }), rules[0]!];
    const result = evaluateEarning(input({ rules: budgeted, budgets: { cmp_b: 1_000 }, settings: { earning: { maxMultiplierPercent: 210 } } }));
    expect(result.budgetDraws).toEqual([{ campaignId: "cmp_b", points: 10 }]);
  });
});

describe("budgets", () => {
  const inBudget = (id: string, points: number, campaignId = "cmp_a") => rule({ id, effect: { type: "fixed", points } }, { campaignId, budget: budget(1_000) });

  it("gives what the budget has left and marks the rule capped", () => {
    const result = evaluateEarning(input({ rules: [inBudget("r1", 7)], budgets: { cmp_a: 5 } }));
    expect(campaignLines(result)).toEqual([expect.objectContaining({ ruleId: "r1", points: 5, capped: "budget" })]);
    expect(result.budgetDraws).toEqual([{ campaignId: "cmp_a", points: 5 }]);
  });

  it("gives all when the budget holds exactly enough", () => {
    const result = evaluateEarning(input({ rules: [inBudget("r1", 7)], budgets: { cmp_a: 7 } }));
    expect(campaignLines(result)).toEqual([expect.not.objectContaining({ capped: expect.anything() })]);
    expect(result.budgetDraws).toEqual([{ campaignId: "cmp_a", points: 7 }]);
  });

  it("is shared by a campaign's rules in evaluation order", () => {
    const result = evaluateEarning(input({ rules: [inBudget("b", 7), inBudget("a", 7), inBudget("c", 7)], budgets: { cmp_a: 10 } }));
    expect(ruleLines(result)).toEqual([["a", 7], ["b", 3]]);
    expect(result.capped).toEqual([{ campaignId: "cmp_a", version: 1, ruleId: "c", capped: "budget", points: 7 }]);
    expect(result.budgetDraws).toEqual([{ campaignId: "cmp_a", points: 10 }]);
  });

  it("keeps campaigns' budgets apart and leaves unbudgeted campaigns alone", () => {
    const rules = [inBudget("a", 7), inBudget("b", 7, "cmp_b"), rule({ id: "free", effect: { type: "fixed", points: 7 } }, { campaignId: "cmp_c" })];
    const result = evaluateEarning(input({ rules, budgets: { cmp_a: 0, cmp_b: 100 } }));
    expect(ruleLines(result)).toEqual([["b", 7], ["free", 7]]);
    expect(result.budgetDraws).toEqual([{ campaignId: "cmp_b", points: 7 }]);
  });

  it("splits a partly budgeted item rule over its items", () => {
    const rules = [rule({ effect: { type: "fixed", points: 10, per: "unit" } }, { budget: budget(100) })];
    const result = evaluateEarning(input({ trigger: order({ items: [item("a", 100, 1), item("b", 100, 2)] }), rules, budgets: { cmp_a: 20 } }));
    expect(campaignLines(result)[0]!.items).toEqual([
      { sku: "a", points: 7, quantity: 1 },
      { sku: "b", points: 13, quantity: 2 },
    ]);
  });
});

describe("member limits and cooldowns", () => {
  const limited = (fields: Partial<RuleInput>) => rule({ effect: { type: "fixed", points: 10 }, ...fields });
  const outcome = (fields: Partial<RuleInput>, extra: InputFields) => {
    const result = evaluateEarning(input({ rules: [limited(fields)], ...extra }));
    const [line] = campaignLines(result);
    if (line) return [line.points, line.capped ?? null];
    return result.capped.length ? [0, result.capped[0]!.capped] : [0, null];
  };
  const BERLIN = { timeZone: "Europe/Berlin" };

  it.each([
    { what: "a count per calendar day: one earlier that day", limits: [{ period: "day", count: 1 }], grants: [grant("2026-03-10T00:00:00Z")], expected: [0, "member_limit"] },
    { what: "a count per calendar day: one the day before", limits: [{ period: "day", count: 1 }], grants: [grant("2026-03-09T23:59:59.999Z")], expected: [10, null] },
    { what: "a count per calendar day in Berlin: 23:30 UTC is the next local day", limits: [{ period: "day", count: 1 }], settings: BERLIN, grants: [grant("2026-03-09T23:30:00Z")], expected: [0, "member_limit"] },
    { what: "a count per calendar day in Berlin: 22:59 UTC is still the day before", limits: [{ period: "day", count: 1 }], settings: BERLIN, grants: [grant("2026-03-09T22:59:59Z")], expected: [10, null] },
    { what: "a count per rolling day: 23 hours ago", limits: [{ period: "day", window: "rolling", count: 1 }], grants: [grant("2026-03-09T13:00:00Z")], expected: [0, "member_limit"] },
    { what: "a count per rolling day: exactly 24 hours ago", limits: [{ period: "day", window: "rolling", count: 1 }], grants: [grant("2026-03-09T12:00:00Z")], expected: [10, null] },
    { what: "a count per rolling day: a later grant (late-posted order)", limits: [{ period: "day", window: "rolling", count: 1 }], grants: [grant("2026-03-11T11:59:59Z")], expected: [0, "member_limit"] },
    { what: "a count per rolling day: a later grant 24 hours on", limits: [{ period: "day", window: "rolling", count: 1 }], grants: [grant("2026-03-11T12:00:00Z")], expected: [10, null] },
    { what: "a count of 2 per rolling week with grants 6 days apart around now", limits: [{ period: "week", window: "rolling", count: 2 }], grants: [grant("2026-03-05T12:00:00Z"), grant("2026-03-13T12:00:00Z")], expected: [10, null] },
    { what: "a count of 2 per rolling week with a grant before and one after now, 4 days apart", limits: [{ period: "week", window: "rolling", count: 2 }], grants: [grant("2026-03-08T12:00:00Z"), grant("2026-03-12T12:00:00Z")], expected: [0, "member_limit"] },
    { what: "a count of 2 per rolling week with a grant 6 days before and one 6 days after now", limits: [{ period: "week", window: "rolling", count: 2 }], grants: [grant("2026-03-04T12:00:00Z"), grant("2026-03-16T12:00:00Z")], expected: [10, null] },
    { what: "a count of 2 per rolling week with both grants in one week with now", limits: [{ period: "week", window: "rolling", count: 2 }], grants: [grant("2026-03-09T12:00:00Z"), grant("2026-03-11T12:00:00Z")], expected: [0, "member_limit"] },
    { what: "a count per calendar week: Monday of the same ISO week", limits: [{ period: "week", count: 1 }], grants: [grant("2026-03-09T00:00:00Z")], expected: [0, "member_limit"] },
    { what: "a count per calendar week: Sunday before", limits: [{ period: "week", count: 1 }], grants: [grant("2026-03-08T23:59:59Z")], expected: [10, null] },
    { what: "a count per calendar month", limits: [{ period: "month", count: 2 }], grants: [grant("2026-03-01T00:00:00Z"), grant("2026-03-31T23:59:59Z")], expected: [0, "member_limit"] },
    { what: "a count per calendar month: last month's do not count", limits: [{ period: "month", count: 2 }], grants: [grant("2026-02-28T23:59:59Z"), grant("2026-03-01T00:00:00Z")], expected: [10, null] },
    { what: "a count per rolling month (30 days)", limits: [{ period: "month", window: "rolling", count: 1 }], grants: [grant("2026-02-08T12:00:01Z")], expected: [0, "member_limit"] },
    { what: "a count per calendar year", limits: [{ period: "year", count: 1 }], grants: [grant("2025-12-31T23:59:59Z")], expected: [10, null] },
    { what: "a count per calendar year in Berlin: 23:30 UTC on 31 December is the new year", limits: [{ period: "year", count: 1 }], settings: BERLIN, grants: [grant("2025-12-31T23:30:00Z")], expected: [0, "member_limit"] },
    { what: "a count per rolling year (365 days)", limits: [{ period: "year", window: "rolling", count: 1 }], grants: [grant("2025-03-10T12:00:01Z")], expected: [0, "member_limit"] },
    { what: "a count per campaign lifetime", limits: [{ period: "campaign", count: 3 }], grants: [grant("2020-01-01T00:00:00Z"), grant("2026-03-01T00:00:00Z"), grant("2030-01-01T00:00:00Z")], expected: [0, "member_limit"] },
    { what: "a points limit that gives the remainder", limits: [{ period: "campaign", points: 25 }], grants: [grant("2026-03-01T00:00:00Z", 10), grant("2026-03-02T00:00:00Z", 9)], expected: [6, "member_limit"] },
    { what: "a points limit reached exactly", limits: [{ period: "campaign", points: 20 }], grants: [grant("2026-03-01T00:00:00Z", 10), grant("2026-03-02T00:00:00Z", 10)], expected: [0, "member_limit"] },
    { what: "a points limit with exactly enough left", limits: [{ period: "month", points: 20 }], grants: [grant("2026-03-01T00:00:00Z", 10)], expected: [10, null] },
    { what: "the tightest of several limits", limits: [{ period: "campaign", points: 100 }, { period: "day", points: 15 }], grants: [grant("2026-03-10T01:00:00Z", 8)], expected: [7, "member_limit"] },
    { what: "only its own rule's grants", limits: [{ period: "campaign", count: 1 }], grants: [grant("2026-03-01T00:00:00Z", 10, "other"), grant("2026-03-01T00:00:00Z", 10, "r1", "cmp_b")], expected: [10, null] },
    { what: "a cooldown: another grant 59 minutes before", cooldownSeconds: 3_600, grants: [grant("2026-03-10T11:01:00Z")], expected: [0, "cooldown"] },
    { what: "a cooldown: another grant exactly the cooldown before", cooldownSeconds: 3_600, grants: [grant("2026-03-10T11:00:00Z")], expected: [10, null] },
    { what: "a cooldown: a later grant (late-posted trigger)", cooldownSeconds: 3_600, grants: [grant("2026-03-10T12:30:00Z")], expected: [0, "cooldown"] },
  ] as const)("counts $what", ({ limits, cooldownSeconds, grants, settings, expected }) => {
    const fields = { ...(limits ? { limits } : {}), ...(cooldownSeconds ? { cooldownSeconds } : {}) } as Partial<RuleInput>;
    expect(outcome(fields, { grants: [...grants], settings })).toEqual(expected);
  });

  it("records a grant per rule that gave points, at the trigger's time, counted when a limit or cooldown reads it back", () => {
    const result = evaluateEarning(input({ at: "2026-03-10T12:34:56.789Z", rules: [limited({ limits: [{ period: "day", points: 5 }] })] }));
    expect(result.grants).toEqual([{ campaignId: "cmp_a", ruleId: "r1", points: 5, at: "2026-03-10T12:34:56.789Z", counted: true }]);
    const cooled = evaluateEarning(input({ at: "2026-03-10T12:34:56.789Z", rules: [limited({ cooldownSeconds: 60 })] }));
    expect(cooled.grants.map((g) => g.counted)).toEqual([true]);
  });
});

describe("time zones and DST", () => {
  const fixed = (conditions: RuleInput["conditions"]) => rule({ conditions, effect: { type: "fixed", points: 7 } });
  const matches = (timeZone: string, at: string, conditions: RuleInput["conditions"], limits: InputFields = {}) =>
    campaignLines(evaluateEarning(input({ at, settings: { timeZone }, rules: [fixed(conditions)], ...limits }))).length === 1;

  it.each([
    // Berlin in winter is UTC+1: 23:30 UTC Monday is 00:30 Tuesday.
    { zone: "Europe/Berlin", at: "2026-03-09T23:30:00Z", conditions: { daysOfWeek: [2] }, expected: true },
    { zone: "Europe/Berlin", at: "2026-03-09T22:59:59Z", conditions: { daysOfWeek: [2] }, expected: false },
    { zone: "UTC", at: "2026-03-09T23:30:00Z", conditions: { daysOfWeek: [2] }, expected: false },
    // Berlin, last Sunday of March 2026 (29th): 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
    { zone: "Europe/Berlin", at: "2026-03-29T00:59:59Z", conditions: { hours: { from: 1, to: 2 } }, expected: true },
    { zone: "Europe/Berlin", at: "2026-03-29T01:00:00Z", conditions: { hours: { from: 3, to: 4 } }, expected: true },
    { zone: "Europe/Berlin", at: "2026-03-29T00:59:59Z", conditions: { hours: { from: 2, to: 3 } }, expected: false },
    { zone: "Europe/Berlin", at: "2026-03-29T01:00:00Z", conditions: { hours: { from: 2, to: 3 } }, expected: false },
    // Summer time is UTC+2: 22:30 UTC Sunday is already Monday.
    { zone: "Europe/Berlin", at: "2026-03-29T22:30:00Z", conditions: { daysOfWeek: [1], hours: { from: 0, to: 1 } }, expected: true },
    { zone: "Europe/Berlin", at: "2026-03-28T22:30:00Z", conditions: { daysOfWeek: [6], hours: { from: 23, to: 24 } }, expected: true },
    // Last Sunday of October 2026 (25th): 03:00 CEST falls back to 02:00 CET at 01:00 UTC; 02:xx happens twice.
    { zone: "Europe/Berlin", at: "2026-10-25T00:30:00Z", conditions: { hours: { from: 2, to: 3 } }, expected: true },
    { zone: "Europe/Berlin", at: "2026-10-25T01:30:00Z", conditions: { hours: { from: 2, to: 3 } }, expected: true },
    { zone: "Europe/Berlin", at: "2026-10-25T02:00:00Z", conditions: { hours: { from: 2, to: 3 } }, expected: false },
    { zone: "Europe/Berlin", at: "2026-10-25T22:59:59Z", conditions: { daysOfWeek: [7] }, expected: true },
    { zone: "Europe/Berlin", at: "2026-10-25T23:00:00Z", conditions: { daysOfWeek: [1] }, expected: true },
    // New York, second Sunday of March 2026 (8th): EST (UTC-5) to EDT (UTC-4) at 07:00 UTC.
    { zone: "America/New_York", at: "2026-03-08T04:59:59Z", conditions: { daysOfWeek: [6] }, expected: true },
    { zone: "America/New_York", at: "2026-03-08T05:00:00Z", conditions: { daysOfWeek: [7], hours: { from: 0, to: 1 } }, expected: true },
    { zone: "America/New_York", at: "2026-03-09T03:59:59Z", conditions: { daysOfWeek: [7], hours: { from: 23, to: 24 } }, expected: true },
    { zone: "America/New_York", at: "2026-03-09T04:00:00Z", conditions: { daysOfWeek: [1], hours: { from: 0, to: 1 } }, expected: true },
    { zone: "America/New_York", at: "2026-03-08T07:00:00Z", conditions: { hours: { from: 3, to: 4 } }, expected: true },
    // First Sunday of November 2026 (1st): EDT back to EST at 06:00 UTC; 01:xx happens twice.
    { zone: "America/New_York", at: "2026-11-01T05:30:00Z", conditions: { hours: { from: 1, to: 2 } }, expected: true },
    { zone: "America/New_York", at: "2026-11-01T06:30:00Z", conditions: { hours: { from: 1, to: 2 } }, expected: true },
    { zone: "America/New_York", at: "2026-11-02T04:59:59Z", conditions: { daysOfWeek: [7] }, expected: true },
    { zone: "America/New_York", at: "2026-11-02T05:00:00Z", conditions: { daysOfWeek: [1] }, expected: true },
    // A date window is an instant range, whatever the zone.
    { zone: "America/New_York", at: "2026-03-08T07:00:00Z", conditions: { windows: [{ from: "2026-03-08T03:00:00-04:00", to: "2026-03-08T04:00:00-04:00" }] }, expected: true },
  ] as const)("$zone at $at: $expected", ({ zone, at, conditions, expected }) => {
    expect(matches(zone, at, conditions as RuleInput["conditions"])).toBe(expected);
  });

  it.each([
    // The 23-hour day of 29 March in Berlin runs from 23:00 UTC on the 28th to 22:00 UTC on the 29th.
    { zone: "Europe/Berlin", grantAt: "2026-03-28T23:00:00Z", at: "2026-03-29T21:59:59Z", sameDay: true },
    { zone: "Europe/Berlin", grantAt: "2026-03-28T23:00:00Z", at: "2026-03-29T22:00:00Z", sameDay: false },
    { zone: "Europe/Berlin", grantAt: "2026-03-28T22:59:59Z", at: "2026-03-29T12:00:00Z", sameDay: false },
    // The 25-hour day of 25 October runs from 22:00 UTC on the 24th to 23:00 UTC on the 25th.
    { zone: "Europe/Berlin", grantAt: "2026-10-24T22:00:00Z", at: "2026-10-25T22:59:59Z", sameDay: true },
    { zone: "Europe/Berlin", grantAt: "2026-10-24T22:00:00Z", at: "2026-10-25T23:00:00Z", sameDay: false },
    // New York's 23-hour 8 March: 05:00 UTC to 04:00 UTC on the 9th.
    { zone: "America/New_York", grantAt: "2026-03-08T05:00:00Z", at: "2026-03-09T03:59:59Z", sameDay: true },
    { zone: "America/New_York", grantAt: "2026-03-08T04:59:59Z", at: "2026-03-08T12:00:00Z", sameDay: false },
    { zone: "America/New_York", grantAt: "2026-11-01T04:00:00Z", at: "2026-11-02T04:59:59Z", sameDay: true },
  ])("counts a calendar day in $zone: grant $grantAt, order $at, same day $sameDay", ({ zone, grantAt, at, sameDay }) => {
    const limited = rule({ effect: { type: "fixed", points: 7 }, limits: [{ period: "day", count: 1 }] });
    const result = evaluateEarning(input({ at, settings: { timeZone: zone }, rules: [limited], grants: [grant(grantAt)] }));
    expect(result.capped.length === 1).toBe(sameDay);
  });
});

describe("activities, enrollment and birthdays", () => {
  const review = { type: "activity", activityType: "review" } as const;
  it("gives a fixed bonus without base points", () => {
    const result = evaluateEarning(input({ trigger: review, rules: [rule({ trigger: review, effect: { type: "fixed", points: 25 } })] }));
    expect(result.breakdown).toEqual([{ rule: "campaign", campaignId: "cmp_a", version: 1, ruleId: "r1", points: 25, reason: "25 points per review" }]);
    expect(result.points).toBe(25);
  });

  it.each([
    { what: "a multiplier", effect: { type: "multiply", percent: 200 } },
    { what: "cashback", effect: { type: "cashback", basisPoints: 100 } },
    { what: "points per amount", effect: { type: "per_amount", points: 1, perAmount: 100 } },
    { what: "fixed points per item", effect: { type: "fixed", points: 5, per: "item" } },
  ] as const)("gives nothing for $what", ({ effect }) => {
    expect(evaluateEarning(input({ trigger: { type: "enrollment" }, rules: [rule({ trigger: { type: "enrollment" }, effect })] })).points).toBe(0);
  });

  it("never matches a rule with an order-only condition", () => {
    const conditions: RuleInput["conditions"][] = [{ amountAtLeast: 0 }, { channels: ["online"] }, { stores: ["s"] }, { items: {} }, { firstOrder: true }, { partners: ["p"] }];
    for (const condition of conditions) {
      const rules = [rule({ trigger: { type: "birthday" }, conditions: condition, effect: { type: "fixed", points: 5 } })];
      expect(evaluateEarning(input({ trigger: { type: "birthday" }, rules })).points).toBe(0);
    }
  });

  it("applies tier, attribute and time conditions, limits and cooldowns", () => {
    const rules = [rule({ trigger: review, conditions: { tiers: ["gold"], attributes: { verified: true }, daysOfWeek: [2] }, effect: { type: "fixed", points: 25 }, cooldownSeconds: 86_400 })];
    const fields = { trigger: review, tier: "gold", settings: GOLD, attributes: { verified: true }, rules };
    expect(evaluateEarning(input(fields)).points).toBe(25);
    expect(evaluateEarning(input({ ...fields, attributes: {} })).points).toBe(0);
    expect(evaluateEarning(input({ ...fields, grants: [grant("2026-03-09T12:00:01Z")] })).capped).toEqual([{ campaignId: "cmp_a", version: 1, ruleId: "r1", capped: "cooldown", points: 25 }]);
  });

  it("is not capped by the multiplier cap (there are no base points to cap against)", () => {
    const rules = [rule({ trigger: { type: "enrollment" }, effect: { type: "fixed", points: 500 } })];
    expect(evaluateEarning(input({ trigger: { type: "enrollment" }, rules, settings: { earning: { maxMultiplierPercent: 100 } } })).points).toBe(500);
  });
});

describe("properties", () => {
  const RUNS = 300;
  const skus = ["a", "b", "c", "d"];
  const categories = ["coffee", "bakery"];
  const itemArb = fc.record({
    sku: fc.constantFrom(...skus),
    category: fc.option(fc.constantFrom(...categories), { nil: undefined }),
    quantity: fc.integer({ min: 1, max: 5 }),
    price: fc.integer({ min: 0, max: 5_000 }),
  }).map(({ category, ...rest }) => (category === undefined ? rest : { ...rest, category }));
  const effectArb = fc.oneof(
    fc.record({ type: fc.constant("multiply" as const), percent: fc.integer({ min: 101, max: 1_000 }), scope: fc.constantFrom("order" as const, "items" as const) }),
    fc.record({ type: fc.constant("fixed" as const), points: fc.integer({ min: 1, max: 200 }), per: fc.constantFrom("order" as const, "item" as const, "unit" as const) }),
    fc.record({ type: fc.constant("per_amount" as const), points: fc.integer({ min: 1, max: 10 }), perAmount: fc.integer({ min: 1, max: 1_000 }) }),
    fc.record({ type: fc.constant("cashback" as const), basisPoints: fc.integer({ min: 1, max: 2_000 }), scope: fc.constantFrom("order" as const, "items" as const) }),
  );
  const ruleArb = fc.record({
    campaign: fc.constantFrom("cmp_a", "cmp_b", "cmp_c"),
    id: fc.constantFrom("r1", "r2", "r3", "r4"),
    priority: fc.constantFrom(50, 100, 200),
    exclusive: fc.boolean(),
    effect: effectArb,
    items: fc.option(fc.record({ skus: fc.subarray(skus, { minLength: 1 }) }), { nil: undefined }),
    limit: fc.option(fc.record({ period: fc.constantFrom("day" as const, "week" as const, "campaign" as const), window: fc.constantFrom("calendar" as const, "rolling" as const), points: fc.integer({ min: 1, max: 300 }) }), { nil: undefined }),
  });
  const caseArb = fc.record({
    rules: fc.uniqueArray(ruleArb, { maxLength: 5, selector: (r) => `${r.campaign}/${r.id}` }),
    amount: fc.integer({ min: 0, max: 50_000 }),
    items: fc.array(itemArb, { maxLength: 4 }),
    rounding: fc.constantFrom("floor" as const, "round" as const, "ceil" as const),
    scope: fc.constantFrom("base" as const, "all" as const),
    cap: fc.option(fc.integer({ min: 100, max: 500 }), { nil: null }),
    gold: fc.boolean(),
    budgets: fc.record({ cmp_a: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }), cmp_b: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }) }),
    grantPoints: fc.array(fc.tuple(fc.constantFrom("cmp_a", "cmp_b", "cmp_c"), fc.constantFrom("r1", "r2"), fc.integer({ min: 1, max: 100 }), fc.integer({ min: -10, max: 10 })), { maxLength: 4 }),
    zone: fc.constantFrom("UTC", "Europe/Berlin", "America/New_York"),
  });

  it("adds up, never goes negative, and keeps to budgets, limits and the cap; the order rules come in does not matter", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const rules = c.rules.map((r) =>
          rule(
            {
              id: r.id,
              priority: r.priority,
              exclusive: r.exclusive,
              effect: r.effect,
              conditions: r.items ? { items: r.items } : {},
              limits: r.limit ? [r.limit] : [],
            },
            { campaignId: r.campaign, budget: budget(1_000) },
          ),
        );
        const budgets = Object.fromEntries(Object.entries(c.budgets).filter(([, v]) => v !== undefined)) as Record<string, number>;
        const grants = c.grantPoints.map(([campaignId, ruleId, points, days]) => grant(new Date(Date.parse("2026-03-10T12:00:00Z") + days * 86_400_000).toISOString(), points, ruleId, campaignId));
        const fields: InputFields = {
          trigger: order({ amount: c.amount, items: c.items }),
          tier: c.gold ? "gold" : null,
          settings: { ...GOLD, rounding: c.rounding, timeZone: c.zone, earning: { tierMultiplierScope: c.scope, maxMultiplierPercent: c.cap } },
          rules,
          grants,
          budgets,
        };
        const result = evaluateEarning(input(fields));
        const settings = defaultSettings(fields.settings);

        expect(result.points).toBe(sum(result.breakdown.map((line) => line.points)));
        for (const line of result.breakdown) expect(line.points).toBeGreaterThanOrEqual(0);
        for (const line of campaignLines(result)) {
          expect(line.points).toBeGreaterThan(0);
          if (line.items) expect(sum(line.items.map((i) => i.points))).toBe(line.points);
          for (const i of line.items ?? []) expect(i.points).toBeGreaterThanOrEqual(0);
        }
        const base = computeEarning(c.amount, settings, null).points;
        expect(result.breakdown[0]).toEqual({ rule: "base", points: base });
        if (c.cap !== null) expect(result.points).toBeLessThanOrEqual(Math.floor((base * c.cap) / 100));
        for (const [campaignId, left] of Object.entries(budgets)) {
          const drawn = sum(campaignLines(result).filter((l) => l.campaignId === campaignId).map((l) => l.points));
          expect(drawn).toBeLessThanOrEqual(left);
          expect(result.budgetDraws.find((d) => d.campaignId === campaignId)?.points ?? 0).toBe(drawn);
        }
        // Every period the new grant falls in holds no more than the limit with it: the campaign, the local
        // calendar period, and every rolling window that contains the order (late-posted orders included).
        const at = Date.parse(NOON);
        for (const line of campaignLines(result)) {
          const limit = c.rules.find((r) => r.campaign === line.campaignId && r.id === line.ruleId)!.limit;
          if (!limit) continue;
          const own = grants.filter((g) => g.campaignId === line.campaignId && g.ruleId === line.ruleId).map((g) => ({ at: Date.parse(g.at), points: g.points }));
          const within = (from: number, to: number) => sum(own.filter((g) => g.at >= from && g.at < to).map((g) => g.points));
          const periods: [number, number][] = [];
          if (limit.period === "campaign") periods.push([-Infinity, Infinity]);
          else if (limit.window === "calendar") {
            const { start, end } = localPeriodBounds(new Date(at), limit.period, c.zone);
            periods.push([start.getTime(), end.getTime()]);
          } else {
            const length = { day: 1, week: 7 }[limit.period] * 86_400_000;
            for (const start of [at - length + 1, at, ...own.flatMap((g) => [g.at, g.at - length + 1])]) {
              if (start > at - length && start <= at) periods.push([start, start + length]);
            }
          }
          for (const [from, to] of periods) expect(within(from, to) + line.points).toBeLessThanOrEqual(limit.points);
        }
        expect(result.grants.map((g) => [g.campaignId, g.ruleId, g.points])).toEqual(campaignLines(result).map((l) => [l.campaignId, l.ruleId, l.points]));
        expect(evaluateEarning(input({ ...fields, rules: [...rules].reverse() }))).toEqual(result);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("grantHorizon", () => {
  const at = new Date("2026-03-29T12:00:00Z");
  const limited = (fields: Partial<RuleInput>) => rule({ effect: { type: "fixed", points: 1 }, ...fields });
  it.each([
    { what: "no limits", rules: [limited({})], horizon: null },
    { what: "a calendar day in Berlin (23 hours on 29 March)", rules: [limited({ limits: [{ period: "day", count: 1 }] })], horizon: ["2026-03-28T23:00:00.000Z", "2026-03-29T22:00:00.000Z"] },
    { what: "a rolling week, both sides of a late-posted order", rules: [limited({ limits: [{ period: "week", window: "rolling", count: 1 }] })], horizon: ["2026-03-22T12:00:00.001Z", "2026-04-05T12:00:00.000Z"] },
    { what: "a cooldown", rules: [limited({ cooldownSeconds: 60 })], horizon: ["2026-03-29T11:59:00.001Z", "2026-03-29T12:01:00.000Z"] },
    { what: "the widest of several rules", rules: [limited({ cooldownSeconds: 60 }), limited({ id: "r2", limits: [{ period: "month", points: 5 }] })], horizon: ["2026-02-28T23:00:00.000Z", "2026-03-31T22:00:00.000Z"] },
    { what: "a campaign lifetime", rules: [limited({ limits: [{ period: "campaign", count: 1 }] })], horizon: [null, null] },
  ])("covers $what", ({ rules, horizon }) => {
    const found = grantHorizon(rules, at, "Europe/Berlin");
    expect(found && [found.from?.toISOString() ?? null, found.to?.toISOString() ?? null]).toEqual(horizon);
  });

  it("holds every grant the evaluator counts: a grant outside it changes nothing", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("day" as const, "week" as const, "month" as const, "year" as const, "campaign" as const),
        fc.constantFrom("calendar" as const, "rolling" as const),
        fc.integer({ min: -400, max: 400 }),
        fc.constantFrom("UTC", "Europe/Berlin", "America/New_York"),
        (period, window, days, zone) => {
          const limits = [{ period, ...(period === "campaign" ? {} : { window }), count: 1 }];
          const rules = [limited({ limits, cooldownSeconds: 3_600 })];
          const grantAt = new Date(at.getTime() + days * 86_400_000 + 1_800_000);
          const result = evaluateEarning(input({ at: at.toISOString(), settings: { timeZone: zone }, rules, grants: [grant(grantAt.toISOString())] }));
          const horizon = grantHorizon(rules, at, zone)!;
          const inside = (horizon.from === null || grantAt >= horizon.from) && (horizon.to === null || grantAt < horizon.to);
          if (!inside) expect(result.capped).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
