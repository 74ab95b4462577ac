// Effects: the points one matching rule gives before any limit, budget or cap, rounded once, with the per-item split.
import { BeyondSafeIntegers } from "../ledger/money";
import type { ProgramSettings } from "../ledger/settings";
import type { EarnItem, EarnTrigger } from "./evaluate";
import type { RuleMatch } from "./match";
import type { Rule } from "./rules";
import { ratio } from "./arithmetic";
import { splitByWeights } from "./split";

export interface ItemPoints {
  sku: string;
  points: number;
  quantity: number;
}

export interface RulePoints {
  points: number;
  /** Item-scoped effects: what each matching line item earned; adds up to `points`. */
  items?: ItemPoints[];
  multiplierPercent?: number;
  reason: string;
}

function safe(value: number): number {
  if (!Number.isSafeInteger(value)) throw new BeyondSafeIntegers("points beyond safe integers");
  return value;
}

/** A line item's amount, price times quantity; refused beyond safe integers rather than rounded. */
const lineAmount = (item: EarnItem) => safe(item.price * item.quantity);

function plural(count: number, one: string): string {
  return `${count} ${one}${count === 1 ? "" : "s"}`;
}

function percentText(basisPoints: number): string {
  return `${Math.floor(basisPoints / 100)}.${String(basisPoints % 100).padStart(2, "0")} %`;
}

/** Each matching item's share of `points`, in proportion to `weights`. */
function itemSplit(items: readonly EarnItem[], points: number, weights: readonly number[]): ItemPoints[] {
  const parts = splitByWeights(points, weights);
  return items.map((item, index) => ({ sku: item.sku, points: parts[index]!, quantity: item.quantity }));
}

/**
 * What `rule`'s effect gives on this trigger: null when it cannot apply (an item-scoped effect without
 * a matching item, or any effect but a per-order `fixed` on a trigger that is not an order).
 *
 * - multiply, order: (percent - 100) % of the order's base points.
 * - multiply, items: (percent - 100) % of the base rate on the matching items' amount.
 * - fixed: points once, per matching line item, or per unit of the matching items.
 * - per_amount: points per perAmount of the matching items' amount (the order's without an item condition).
 * - cashback: basisPoints / 10000 of the order's (or matching items') amount, as points at the redemption value.
 * Each is one rational number rounded once with the program's rounding.
 */
export function effectPoints(rule: Rule, match: RuleMatch, trigger: EarnTrigger, basePoints: number, settings: ProgramSettings): RulePoints | null {
  const effect = rule.effect;
  const rounding = settings.rounding;
  if (trigger.type !== "order") {
    if (effect.type !== "fixed" || effect.per !== "order") return null;
    return { points: effect.points, reason: `${plural(effect.points, "point")} per ${trigger.type === "activity" ? trigger.activityType : trigger.type}` };
  }
  const matched = match.items.map((index) => trigger.items[index]!);
  const amounts = matched.map(lineAmount);
  const matchedAmount = safe(amounts.reduce((a, b) => a + b, 0));
  const itemsText = plural(matched.length, "matching item");
  const { points: ratePoints, perAmount } = settings.earnRate;

  switch (effect.type) {
    case "multiply": {
      if (effect.scope === "order") {
        const points = ratio(basePoints, effect.percent - 100, 1, 100, rounding);
        return { points, multiplierPercent: effect.percent, reason: `${effect.percent} % of the base points` };
      }
      if (matched.length === 0) return null;
      const points = ratio(matchedAmount, ratePoints, effect.percent - 100, perAmount * 100, rounding);
      return {
        points,
        multiplierPercent: effect.percent,
        items: itemSplit(matched, points, amounts),
        reason: `${effect.percent} % of the base points on ${itemsText}`,
      };
    }
    case "fixed": {
      if (effect.per === "order") return { points: effect.points, reason: `${plural(effect.points, "point")} per order` };
      if (matched.length === 0) return null;
      const items = matched.map((item) => ({ sku: item.sku, points: safe(effect.points * (effect.per === "unit" ? item.quantity : 1)), quantity: item.quantity }));
      const points = safe(items.reduce((sum, i) => sum + i.points, 0));
      const units = matched.reduce((sum, item) => sum + item.quantity, 0);
      const reason =
        effect.per === "unit" ? `${plural(effect.points, "point")} per unit on ${plural(units, "unit")}` : `${plural(effect.points, "point")} per item on ${itemsText}`;
      return { points, items, reason };
    }
    case "per_amount": {
      const rate = `${plural(effect.points, "point")} per ${effect.perAmount}`;
      if (rule.conditions.items === undefined) {
        return { points: ratio(trigger.amount, effect.points, 1, effect.perAmount, rounding), reason: `${rate} of the order` };
      }
      const points = ratio(matchedAmount, effect.points, 1, effect.perAmount, rounding);
      return { points, items: itemSplit(matched, points, amounts), reason: `${rate} on ${itemsText}` };
    }
    case "cashback": {
      const { points: valuePoints, amount: valueAmount } = settings.redemptionValue;
      const scale = (amount: number) => ratio(amount, effect.basisPoints, valuePoints, 10_000 * valueAmount, rounding);
      const back = `${percentText(effect.basisPoints)} back as points`;
      if (effect.scope === "order") return { points: scale(trigger.amount), reason: `${back} on the order` };
      if (matched.length === 0) return null;
      const points = scale(matchedAmount);
      return { points, items: itemSplit(matched, points, amounts), reason: `${back} on ${itemsText}` };
    }
  }
}
