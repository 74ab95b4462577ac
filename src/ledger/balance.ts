// The member's balance, computed from open lots and holds only.
import { isExpired } from "./allocation";
import { idleDeadline } from "./expiry";
import { mulDiv, type Money } from "./money";
import type { ProgramSettings } from "./settings";
import type { MemberState } from "./state";
import { nextTier } from "./tiers";

export interface Balance {
  available: number;
  pending: number;
  held: number;
  debt: number;
  lifetimeEarned: number;
  qualifyingPoints: number;
  tier: string | null;
  nextTier: { name: string; pointsNeeded: number } | null;
  nextExpiries: { points: number; expiresAt: string }[];
  availableValue: Money;
}

const EXPIRIES_SHOWN = 5;

export function pointsValue(points: number, settings: ProgramSettings): Money {
  const rate = settings.redemptionValue;
  return { amount: mulDiv(points, rate.amount, rate.points, "floor"), currency: settings.currency };
}

export function balanceOf(state: MemberState, settings: ProgramSettings, now: Date): Balance {
  let available = 0;
  let pending = 0;
  const byExpiry = new Map<string, number>();
  for (const lot of state.lots) {
    if (lot.remaining <= 0 || isExpired(lot, now)) continue;
    if (Date.parse(lot.availableAt) <= now.getTime()) available += lot.remaining;
    else pending += lot.remaining;
    if (lot.expiresAt) byExpiry.set(lot.expiresAt, (byExpiry.get(lot.expiresAt) ?? 0) + lot.remaining);
  }
  // The lots not loaded are all available and unexpired (the object loads them before that changes).
  if (state.rest) {
    available += state.rest.points;
    for (const { expiresAt, points } of state.rest.expiries) byExpiry.set(expiresAt, (byExpiry.get(expiresAt) ?? 0) + points);
  }
  const held = state.holds.reduce((sum, hold) => sum + hold.points, 0);
  const member = state.member;
  const inactivityDate = idleDeadline(member, settings.expiry);
  const nextExpiries = inactivityDate
    ? available + pending > 0
      ? [{ points: available + pending, expiresAt: inactivityDate.toISOString() }]
      : []
    : [...byExpiry.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .slice(0, EXPIRIES_SHOWN)
        .map(([expiresAt, points]) => ({ points, expiresAt }));
  return {
    available,
    pending,
    held,
    debt: member?.debt ?? 0,
    lifetimeEarned: member?.lifetimeEarned ?? 0,
    qualifyingPoints: member?.qualifyingPoints ?? 0,
    tier: member?.tier ?? null,
    nextTier: nextTier(member?.qualifyingPoints ?? 0, member?.tier ?? null, settings.tiers),
    nextExpiries,
    availableValue: pointsValue(available, settings),
  };
}
