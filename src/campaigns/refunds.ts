// Refunds under campaigns: how many of an order's points a refund takes back, and which campaign budgets get points back.
import { mulDiv } from "../ledger/money";
import type { EarnLine } from "./evaluate";

export interface RefundedItem {
  sku: string;
  quantity: number;
}

/** What of an order has been refunded, cumulatively: the amount, and the items when refunds named them. */
export interface RefundedSoFar {
  amount: number;
  items?: readonly RefundedItem[];
}

export interface RefundClawbackInput {
  /** The earn entry's breakdown. */
  breakdown: readonly EarnLine[];
  /** The order's amount, minor units. */
  orderAmount: number;
  /** Everything refunded of the order so far, this refund included. */
  refunded: RefundedSoFar;
  /** What was refunded before this refund; none when this is the first. */
  before?: RefundedSoFar;
  /**
   * What earlier refunds really took back and gave back (the order's stored totals). When given they
   * replace what `before` would compute, so mixing refunds with and without items never takes back or
   * returns a point twice.
   */
  clawedBefore?: number;
  returnedBefore?: readonly { campaignId: string; points: number }[];
}

export interface RefundClawback {
  /** Points this refund takes back. */
  points: number;
  /** Points all refunds so far have taken back, this one included: never more than the order earned. */
  clawedTotal: number;
  /** Of clawedTotal, the item-level rule points of refunded items. */
  fromItems: number;
  /** Points this refund gives back to each campaign whose rules gave points (budgeted or not: the caller picks). */
  budgetReturns: { campaignId: string; points: number }[];
}

type CampaignLine = Extract<EarnLine, { rule: "campaign" }>;

function quantities(items: readonly { sku: string; quantity?: number }[]): Map<string, number> {
  const bySku = new Map<string, number>();
  for (const item of items) bySku.set(item.sku, (bySku.get(item.sku) ?? 0) + (item.quantity ?? 0));
  return bySku;
}

/** What a line's refunded items take back: per SKU, floor(points * refunded units / units), all of it once every unit is back. */
function itemClaw(line: CampaignLine, refundedUnits: ReadonlyMap<string, number>): number {
  const points = new Map<string, number>();
  for (const item of line.items!) points.set(item.sku, (points.get(item.sku) ?? 0) + item.points);
  const units = quantities(line.items!);
  let claw = 0;
  for (const [sku, skuPoints] of points) {
    const refunded = refundedUnits.get(sku) ?? 0;
    if (refunded <= 0) continue;
    const bought = units.get(sku)!;
    // A breakdown without quantities: any refunded unit of the SKU takes back all its points.
    claw += bought <= 0 || refunded >= bought ? skuPoints : mulDiv(skuPoints, refunded, bought, "floor");
  }
  return claw;
}

interface Claw {
  total: number;
  fromItems: number;
  byCampaign: Map<string, number>;
}

/**
 * Cumulative clawback for what has been refunded so far. A refund that names items takes back the
 * item-level rule points of those items (per SKU, in proportion to the units refunded), and every other
 * point (base, tier, order-level rules) in proportion to the amount, floor(points * refunded / amount),
 * as refunds always have. Without items, all points go in proportion. A refund of the whole amount
 * takes back everything. A campaign's share is floor(its proportional points * refunded / amount) plus
 * its item points, which never adds up to more than the total.
 */
function clawFor(breakdown: readonly EarnLine[], orderAmount: number, refunded: RefundedSoFar): Claw {
  const earned = breakdown.reduce((sum, line) => sum + Math.max(0, line.points), 0);
  const campaigns = breakdown.filter((line): line is CampaignLine => line.rule === "campaign" && line.points > 0);
  const byCampaign = new Map<string, number>();
  const credit = (campaignId: string, points: number) => byCampaign.set(campaignId, (byCampaign.get(campaignId) ?? 0) + points);

  if (orderAmount <= 0 || refunded.amount >= orderAmount) {
    for (const line of campaigns) credit(line.campaignId, line.points);
    const fromItems = campaigns.filter((line) => line.items).reduce((sum, line) => sum + line.points, 0);
    return { total: earned, fromItems: refunded.items?.length ? fromItems : 0, byCampaign };
  }
  const amount = Math.max(0, refunded.amount);
  const proportional = (points: number) => mulDiv(points, amount, orderAmount, "floor");
  const byItem = (refunded.items?.length ?? 0) > 0;
  const refundedUnits = quantities(refunded.items ?? []);

  let fromItems = 0;
  let itemLevel = 0;
  const campaignRest = new Map<string, number>();
  for (const line of campaigns) {
    if (byItem && line.items?.length) {
      const claw = Math.min(line.points, itemClaw(line, refundedUnits));
      itemLevel += line.points;
      fromItems += claw;
      credit(line.campaignId, claw);
    } else {
      campaignRest.set(line.campaignId, (campaignRest.get(line.campaignId) ?? 0) + line.points);
    }
  }
  for (const [campaignId, points] of campaignRest) credit(campaignId, proportional(points));
  return { total: fromItems + proportional(earned - itemLevel), fromItems, byCampaign };
}

/** How many points a refund takes back (see clawFor for the rule), and what it gives back to each campaign. */
export function refundClawback(input: RefundClawbackInput): RefundClawback {
  const after = clawFor(input.breakdown, input.orderAmount, input.refunded);
  const before = input.before ? clawFor(input.breakdown, input.orderAmount, input.before) : { total: 0, fromItems: 0, byCampaign: new Map<string, number>() };
  const clawedBefore = input.clawedBefore ?? before.total;
  const returnedBefore = input.returnedBefore ? new Map(input.returnedBefore.map((r) => [r.campaignId, r.points])) : before.byCampaign;
  const budgetReturns: RefundClawback["budgetReturns"] = [];
  for (const [campaignId, points] of after.byCampaign) {
    const back = points - (returnedBefore.get(campaignId) ?? 0);
    if (back > 0) budgetReturns.push({ campaignId, points: back });
  }
  const clawedTotal = Math.max(after.total, clawedBefore);
  // Refunds with and without items value item lines differently: never give budgets back more than was taken back.
  let over = [...returnedBefore.values()].reduce((a, b) => a + b, 0) + budgetReturns.reduce((a, r) => a + r.points, 0) - clawedTotal;
  for (let index = budgetReturns.length - 1; index >= 0 && over > 0; index--) {
    const cut = Math.min(budgetReturns[index]!.points, over);
    budgetReturns[index]!.points -= cut;
    over -= cut;
  }
  return {
    points: Math.max(0, after.total - clawedBefore),
    clawedTotal,
    fromItems: after.fromItems,
    budgetReturns: budgetReturns.filter((r) => r.points > 0),
  };
}
