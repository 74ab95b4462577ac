// Which paid plans a member holds, for rewards restricted to (or opening early for) a plan.
import type { Database } from "../db/client";
import { inForce } from "../memberships/memberships";
import { heldMemberships } from "../memberships/store";

/** A member's active plan ids at a moment; plan ids are opaque to rewards. */
export type ActivePlans = (programId: string, memberId: string, now: Date) => readonly string[] | Promise<readonly string[]>;

export const NO_PLANS: ActivePlans = () => [];

/** The plans of the member's memberships in force at `now`, read from D1. */
export function plansHeld(db: Database): ActivePlans {
  return async (programId, memberId, now) => (await heldMemberships(db, programId, memberId)).filter((h) => inForce(h.membership, now)).map((h) => h.plan.id);
}
