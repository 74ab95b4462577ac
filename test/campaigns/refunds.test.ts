// refundClawback: item-level rule points back for refunded items, the rest in proportion as refunds always did; budgets get theirs back.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EarnLine } from "../../src/campaigns/evaluate";
import { refundClawback, type RefundedSoFar } from "../../src/campaigns/refunds";
import { refund } from "../../src/ledger/ops/refund";
import { context, member, order, state } from "../ledger/build";

// 100.00 EUR: 100 base, an item rule of cmp_a (latte 20 for 1 unit, beans 30 for 2 units), 25 per order from cmp_b, 50 tier.
const BREAKDOWN: EarnLine[] = [
  { rule: "base", points: 100 },
  { rule: "campaign", campaignId: "cmp_a", version: 1, ruleId: "coffee", points: 50, reason: "", items: [{ sku: "latte", points: 20, quantity: 1 }, { sku: "beans", points: 30, quantity: 2 }] },
  { rule: "campaign", campaignId: "cmp_b", version: 2, ruleId: "bonus", points: 25, reason: "" },
  { rule: "tier_multiplier", points: 50, tier: "gold", multiplierPercent: 150 },
];
const claw = (refunded: RefundedSoFar, before?: RefundedSoFar, breakdown = BREAKDOWN, orderAmount = 10_000) =>
  refundClawback({ breakdown, orderAmount, refunded, ...(before ? { before } : {}) });

describe("refundClawback", () => {
  it.each([
    { what: "everything on a full refund", refunded: { amount: 10_000 }, points: 225, fromItems: 0, returns: [["cmp_a", 50], ["cmp_b", 25]] },
    { what: "everything on a full refund that names items", refunded: { amount: 10_000, items: [{ sku: "latte", quantity: 1 }] }, points: 225, fromItems: 50, returns: [["cmp_a", 50], ["cmp_b", 25]] },
    { what: "half of everything for half the amount", refunded: { amount: 5_000 }, points: 112, fromItems: 0, returns: [["cmp_a", 25], ["cmp_b", 12]] },
    // latte's 20 item points, plus 20 % of the other 175 points.
    { what: "a refunded item's rule points and the rest in proportion", refunded: { amount: 2_000, items: [{ sku: "latte", quantity: 1 }] }, points: 55, fromItems: 20, returns: [["cmp_a", 20], ["cmp_b", 5]] },
    // Half of beans' 30, plus floor(175 * 0.15) = 26.
    { what: "one of two units", refunded: { amount: 1_500, items: [{ sku: "beans", quantity: 1 }] }, points: 41, fromItems: 15, returns: [["cmp_a", 15], ["cmp_b", 3]] },
    { what: "no more than the units bought", refunded: { amount: 3_000, items: [{ sku: "beans", quantity: 5 }] }, points: 82, fromItems: 30, returns: [["cmp_a", 30], ["cmp_b", 7]] },
    { what: "the units of one SKU named twice together", refunded: { amount: 3_000, items: [{ sku: "beans", quantity: 1 }, { sku: "beans", quantity: 1 }] }, points: 82, fromItems: 30, returns: [["cmp_a", 30], ["cmp_b", 7]] },
    { what: "no item points for an item no rule matched", refunded: { amount: 1_000, items: [{ sku: "cake", quantity: 1 }] }, points: 17, fromItems: 0, returns: [["cmp_b", 2]] },
    { what: "nothing for nothing refunded", refunded: { amount: 0 }, points: 0, fromItems: 0, returns: [] },
  ])("takes back $what", ({ refunded, points, fromItems, returns }) => {
    const result = claw(refunded);
    expect(result).toEqual({ points, clawedTotal: points, fromItems, budgetReturns: returns.map(([campaignId, p]) => ({ campaignId, points: p })) });
  });

  it("takes back only this refund's share after earlier ones", () => {
    const first = { amount: 1_500, items: [{ sku: "beans", quantity: 1 }] };
    const second = { amount: 3_000, items: [{ sku: "beans", quantity: 2 }] };
    expect(claw(first)).toMatchObject({ points: 41 });
    expect(claw(second, first)).toEqual({ points: 41, clawedTotal: 82, fromItems: 30, budgetReturns: [{ campaignId: "cmp_a", points: 15 }, { campaignId: "cmp_b", points: 4 }] });
  });

  it("takes everything of an order of amount 0", () => {
    expect(claw({ amount: 0 }, undefined, [{ rule: "base", points: 0 }, { rule: "campaign", campaignId: "c", version: 1, ruleId: "r", points: 9, reason: "" }], 0)).toMatchObject({ points: 9 });
  });

  it("takes all of a SKU's points when the breakdown has no quantities", () => {
    const breakdown: EarnLine[] = [{ rule: "campaign", campaignId: "c", version: 1, ruleId: "r", points: 9, reason: "", items: [{ sku: "a", points: 9 }] }];
    expect(claw({ amount: 1, items: [{ sku: "a", quantity: 1 }] }, undefined, breakdown)).toMatchObject({ points: 9, fromItems: 9 });
  });

  it("agrees with the refund operation on an order without campaigns", () => {
    for (const [earned, amount, steps] of [[100, 10_000, [3_333, 3_333, 3_334]], [7, 999, [1, 500, 498]], [150, 10_000, [9_999, 1]]] as const) {
      let refunded = 0;
      let clawed = 0;
      for (const step of steps) {
        const op = refund(state({ member: member() }), "ada", order({ amount, earnedPoints: earned, refundedAmount: refunded, clawedBackPoints: clawed }), null, { orderId: "o-1", amount: { amount: step, currency: "EUR" } }, context());
        const ours = refundClawback({ breakdown: [{ rule: "base", points: earned }], orderAmount: amount, refunded: { amount: refunded + step }, before: { amount: refunded } });
        expect(ours.points).toBe(op.result.pointsClawedBack);
        refunded += step;
        clawed += ours.points;
      }
      expect(clawed).toBe(earned);
    }
  });

  it("never takes back more than was earned, and a series of refunds ending in a full one takes back exactly everything", () => {
    const skus = ["a", "b", "c"];
    const lineArb = fc.record({
      campaignId: fc.constantFrom("cmp_a", "cmp_b"),
      points: fc.integer({ min: 1, max: 500 }),
      items: fc.option(fc.uniqueArray(fc.record({ sku: fc.constantFrom(...skus), points: fc.integer({ min: 0, max: 100 }), quantity: fc.integer({ min: 1, max: 4 }) }), { selector: (i) => i.sku, minLength: 1 }), { nil: undefined }),
    });
    const stepArb = fc.record({ amount: fc.integer({ min: 0, max: 3_000 }), items: fc.option(fc.array(fc.record({ sku: fc.constantFrom(...skus, "x"), quantity: fc.integer({ min: 1, max: 3 }) }), { maxLength: 2 }), { nil: undefined }) });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.array(lineArb, { maxLength: 4 }), fc.integer({ min: 1, max: 10_000 }), fc.array(stepArb, { maxLength: 5 }), (base, lines, orderAmount, steps) => {
        const breakdown: EarnLine[] = [
          { rule: "base", points: base },
          ...lines.map((line, index) => ({
            rule: "campaign" as const,
            campaignId: line.campaignId,
            version: 1,
            ruleId: `r${index}`,
            // An item line's points are its items' points.
            points: line.items ? line.items.reduce((sum, item) => sum + item.points, 0) || 1 : line.points,
            reason: "",
            ...(line.items ? { items: line.items.reduce((sum, item) => sum + item.points, 0) ? line.items : [{ ...line.items[0]!, points: 1 }] } : {}),
          })),
        ];
        const earned = breakdown.reduce((sum, line) => sum + line.points, 0);
        const perCampaign = new Map<string, number>();
        for (const line of breakdown) if (line.rule === "campaign") perCampaign.set(line.campaignId, (perCampaign.get(line.campaignId) ?? 0) + line.points);

        let so: RefundedSoFar = { amount: 0 };
        let clawed = 0;
        const returned = new Map<string, number>();
        const all = [...steps, { amount: orderAmount, items: undefined }];
        for (const step of all) {
          const amount = Math.min(orderAmount, so.amount + step.amount);
          const items = [...(so.items ?? []), ...(step.items ?? [])];
          const next: RefundedSoFar = items.length ? { amount, items } : { amount };
          const result = refundClawback({ breakdown, orderAmount, refunded: next, before: so, clawedBefore: clawed, returnedBefore: [...returned].map(([campaignId, points]) => ({ campaignId, points })) });
          expect(result.points).toBeGreaterThanOrEqual(0);
          clawed += result.points;
          expect(clawed).toBeLessThanOrEqual(earned);
          expect(result.clawedTotal).toBe(clawed);
          for (const back of result.budgetReturns) {
            expect(back.points).toBeGreaterThan(0);
            returned.set(back.campaignId, (returned.get(back.campaignId) ?? 0) + back.points);
          }
          for (const [campaignId, points] of returned) expect(points).toBeLessThanOrEqual(perCampaign.get(campaignId)!);
          expect([...returned.values()].reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(clawed);
          so = next;
        }
        expect(clawed).toBe(earned);
        expect(returned).toEqual(perCampaign);
      }),
      { numRuns: 300 },
    );
  });
});
