// Campaign budgets as plain arithmetic: what a budget allows in points, and what a reservation is granted.
import type { CampaignBudget } from "../campaigns/rules";
import { mulDiv } from "../ledger/money";
import type { ProgramSettings } from "../ledger/settings";

/** How long a reservation waits for its member batch before the budget's object reconciles it against D1. */
export const RESERVATION_TTL_MS = 60_000;

/** Reservations that are settled (confirmed or released) are kept this long, so a late retry of reserve still answers alike. */
export const SETTLED_RETENTION_MS = 7 * 86_400_000;

/**
 * The points a campaign may issue program-wide: its points budget, or its
 * money budget at the program's redemption value (rounded down, so the money
 * is never exceeded), whichever is less when it has both.
 */
export function budgetPoints(budget: CampaignBudget, settings: Pick<ProgramSettings, "redemptionValue">): number {
  const limits: number[] = [];
  if (budget.points !== undefined) limits.push(budget.points);
  if (budget.amount !== undefined) limits.push(mulDiv(budget.amount, settings.redemptionValue.points, settings.redemptionValue.amount, "floor"));
  return Math.min(...limits);
}

/** The points a budget's counter stands at: what is confirmed, less what refunds gave back, plus what is reserved. */
export interface BudgetCounter {
  limit: number;
  confirmed: number;
  returned: number;
  pending: number;
}

export function pointsLeft(counter: BudgetCounter): number {
  return Math.max(0, counter.limit - issuedPoints(counter) - counter.pending);
}

/** Points really issued by the campaign: confirmed draws less what refunds gave back. */
export function issuedPoints(counter: Pick<BudgetCounter, "confirmed" | "returned">): number {
  return counter.confirmed - counter.returned;
}

/** A reservation gets what it asks, what is left, or nothing. */
export function grantFor(counter: BudgetCounter, asked: number): number {
  return Math.min(asked, pointsLeft(counter));
}

/** Every point issued and none reserved: the moment `campaign.budget_exhausted` announces. */
export function isExhausted(counter: BudgetCounter): boolean {
  return issuedPoints(counter) >= counter.limit;
}

/** A give-back never takes the counter below zero: it returns at most what is issued. */
export function returnableFor(counter: BudgetCounter, points: number): number {
  return Math.max(0, Math.min(points, issuedPoints(counter)));
}
