// Earning rules: how many points an order earns, and which rule gave what.
import { mulDiv } from "./money";
import type { ProgramSettings } from "./settings";
import { tierByName } from "./tiers";

export interface EarningLine {
  rule: "base" | "tier_multiplier";
  points: number;
  tier?: string;
  multiplierPercent?: number;
}

export interface Earning {
  points: number;
  breakdown: EarningLine[];
}

/**
 * Base rate times the tier multiplier, rounded once on the total (so the
 * breakdown's lines always add up to exactly the points earned).
 */
export function computeEarning(amount: number, settings: ProgramSettings, tierName: string | null): Earning {
  const { points: ratePoints, perAmount } = settings.earnRate;
  const base = mulDiv(amount, ratePoints, perAmount, settings.rounding);
  const tier = tierByName(tierName, settings.tiers);
  const multiplierPercent = tier?.multiplierPercent ?? 100;
  if (multiplierPercent === 100) return { points: base, breakdown: [{ rule: "base", points: base }] };
  const total = mulDiv(amount, ratePoints * multiplierPercent, perAmount * 100, settings.rounding);
  return {
    points: total,
    breakdown: [
      { rule: "base", points: base },
      { rule: "tier_multiplier", points: total - base, tier: tier!.name, multiplierPercent },
    ],
  };
}
