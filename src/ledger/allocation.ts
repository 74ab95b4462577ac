// Which lots a debit takes its points from: those that expire first.
import { timeOf } from "./dates";
import type { MemberState, OpenLot } from "./state";

export interface Allocation {
  lotId: string;
  points: number;
}

export function isExpired(lot: Pick<OpenLot, "expiresAt">, now: Date): boolean {
  return lot.expiresAt !== null && timeOf(lot.expiresAt) <= now.getTime();
}

/** A lot whose points can be spent now: past its pending period and not expired. */
export function isSpendable(lot: OpenLot, now: Date): boolean {
  return lot.remaining > 0 && timeOf(lot.availableAt) <= now.getTime() && !isExpired(lot, now);
}

/** Earliest expiry first; lots that never expire last; then oldest first. */
export function spendingOrder(a: Pick<OpenLot, "id" | "expiresAt" | "earnedAt">, b: Pick<OpenLot, "id" | "expiresAt" | "earnedAt">): number {
  if (a.expiresAt !== b.expiresAt) {
    if (a.expiresAt === null) return 1;
    if (b.expiresAt === null) return -1;
    return a.expiresAt < b.expiresAt ? -1 : 1;
  }
  if (a.earnedAt !== b.earnedAt) return a.earnedAt < b.earnedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Takes `points` from the spendable lots, soonest-expiring first. Returns null
 * when the spendable points do not cover the debit: never a partial allocation.
 */
export function allocate(lots: readonly OpenLot[], points: number, now: Date): Allocation[] | null {
  if (points === 0) return [];
  // Most debits fit in the first lot in spending order: find it in one pass that copies nothing, and sort only when they do not.
  let first: OpenLot | undefined;
  for (const lot of lots) if (isSpendable(lot, now) && (!first || spendingOrder(lot, first) < 0)) first = lot;
  if (first && first.remaining >= points) return [{ lotId: first.id, points }];
  const spendable = lots.filter((lot) => isSpendable(lot, now)).sort(spendingOrder);
  const taken: Allocation[] = [];
  let missing = points;
  for (const lot of spendable) {
    if (missing === 0) break;
    const take = Math.min(lot.remaining, missing);
    taken.push({ lotId: lot.id, points: take });
    missing -= take;
  }
  return missing === 0 ? taken : null;
}

/**
 * Whether a debit of `points` can be taken from the loaded lots alone: the
 * spendable ones up to the last loaded in spending order (every lot before it
 * is loaded) cover it, so allocate would never reach a lot that is not.
 */
export function loadedLotsCover(state: MemberState, points: number, now: Date): boolean {
  const rest = state.rest;
  if (!rest) return true;
  let covered = 0;
  for (const lot of state.lots) {
    if (isSpendable(lot, now) && spendingOrder(lot, rest.after) <= 0) covered += lot.remaining;
    if (covered >= points) return true;
  }
  return false;
}
