// Which paid plans a member holds, for rewards restricted to (or opening early for) a plan.
// Memberships live elsewhere; until they are wired in, no member holds a plan.

/** A member's active plan ids at a moment; plan ids are opaque to rewards. */
export type ActivePlans = (programId: string, memberId: string, now: Date) => readonly string[] | Promise<readonly string[]>;

export const NO_PLANS: ActivePlans = () => [];
