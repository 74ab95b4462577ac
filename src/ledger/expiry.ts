// When earned points expire, by the program's expiry policy.
import { addDays, endOfPeriod } from "./dates";
import type { ExpiryPolicy } from "./settings";

/**
 * The expiry instant of a lot earned at `earnedAt`, or null when the policy
 * does not put a date on the lot: `never`, and `inactivity`, whose date moves
 * with the member's last activity (see idleDeadline).
 */
export function lotExpiresAt(policy: ExpiryPolicy, earnedAt: Date): Date | null {
  switch (policy.policy) {
    case "rolling":
      return addDays(earnedAt, policy.days);
    case "period_end":
      return endOfPeriod(earnedAt, policy.period, policy.plusPeriods);
    case "never":
    case "inactivity":
      return null;
  }
}

/**
 * Under the inactivity policy every point expires this long after the
 * member's last earn or redeem; null under other policies, or before any
 * activity.
 */
export function idleDeadline(member: { lastActivityAt: string | null } | null, policy: ExpiryPolicy): Date | null {
  const last = member?.lastActivityAt;
  if (policy.policy !== "inactivity" || !last) return null;
  return addDays(new Date(last), policy.days);
}

/** The member has gone the allowed time without activity: every point they had is gone. */
export function isIdle(member: { lastActivityAt: string | null } | null, policy: ExpiryPolicy, now: Date): boolean {
  const deadline = idleDeadline(member, policy);
  return deadline !== null && deadline.getTime() <= now.getTime();
}
