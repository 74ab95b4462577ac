// Tier maths: which tier qualifying points deserve, and how far the next one is.
import type { ProgramSettings, Tier } from "./settings";

function byThreshold(tiers: readonly Tier[]): Tier[] {
  return [...tiers].sort((a, b) => a.threshold - b.threshold);
}

/** The highest tier whose threshold the points reach, or null below every tier. */
export function tierFor(qualifyingPoints: number, tiers: readonly Tier[]): Tier | null {
  let reached: Tier | null = null;
  for (const tier of byThreshold(tiers)) if (qualifyingPoints >= tier.threshold) reached = tier;
  return reached;
}

export function tierByName(name: string | null, tiers: readonly Tier[]): Tier | null {
  return name === null ? null : (tiers.find((t) => t.name === name) ?? null);
}

/**
 * The first tier above the member's current one that the points do not reach
 * yet, with the points still missing (at least 1). A member held below what
 * the points reach (by a grant) is shown the tier after those.
 */
export function nextTier(
  qualifyingPoints: number,
  currentTier: string | null,
  tiers: readonly Tier[],
): { name: string; pointsNeeded: number } | null {
  const current = tierByName(currentTier, tiers);
  const floor = current ? current.threshold : -1;
  const next = byThreshold(tiers).find((t) => t.threshold > floor && t.threshold > qualifyingPoints);
  return next ? { name: next.name, pointsNeeded: next.threshold - qualifyingPoints } : null;
}

/** Upgrades only: accruals never move a member down (downgrades wait for recalculation). */
export function upgradedTier(currentTier: string | null, qualifyingPoints: number, tiers: readonly Tier[]): string | null {
  const deserved = tierFor(qualifyingPoints, tiers);
  const current = tierByName(currentTier, tiers);
  if (deserved && (!current || deserved.threshold > current.threshold)) return deserved.name;
  return currentTier;
}

/** What an order adds to the qualifying total: its points, or its amount when tiers go by spend. */
export function qualifyingGain(settings: ProgramSettings, points: number, amount: number): number {
  return settings.tierQualification.basis === "spend" ? amount : points;
}
