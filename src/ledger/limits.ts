// Refuses a plan whose stored sums would leave safe integers, before anything is written.
import { BeyondSafeIntegers } from "./money";
import type { Plan } from "./state";

function check(value: number, what: string): void {
  // A sum of safe integers that passes 2^53 is either unsafe or inexact: both show here.
  if (!Number.isSafeInteger(value)) throw new BeyondSafeIntegers(`${what} beyond safe integers`);
}

/**
 * Each operation checks its own arithmetic; this checks what the ledger adds
 * up over time: the member's counters, every lot, and what the member holds
 * in all (lots and holds together bound available, pending and held), so a
 * balance can never pass 2^53 and stop changing by 1.
 */
export function assertPlanInRange(plan: Plan<unknown>): void {
  const m = plan.member;
  check(m.lifetimeEarned, "lifetime earned");
  check(m.qualifyingPoints, "qualifying points");
  check(m.debt, "debt");
  for (const lot of plan.newLots) check(lot.points, "lot points");
  for (const e of plan.entries) {
    check(e.points, "entry points");
    check(e.heldPoints, "entry held points");
  }
  let held = plan.nextState.rest?.points ?? 0;
  for (const lot of plan.nextState.lots) held += lot.remaining;
  for (const hold of plan.nextState.holds) held += hold.points;
  check(held, "the member's points");
}
