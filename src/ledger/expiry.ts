// When earned points expire, by the program's expiry policy.
import { addDays, endOfPeriod } from "./dates";
import type { ExpiryPolicy } from "./settings";

/**
 * The expiry instant of a lot earned at `earnedAt`, or null when the policy
 * does not put a date on the lot: `never`, and `inactivity`, whose date moves
 * with the member's last activity (see inactivityExpiresAt).
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

/** Under the inactivity policy every point expires this long after the last earn or redeem. */
export function inactivityExpiresAt(policy: ExpiryPolicy, lastActivityAt: Date | null): Date | null {
  if (policy.policy !== "inactivity" || lastActivityAt === null) return null;
  return addDays(lastActivityAt, policy.days);
}
