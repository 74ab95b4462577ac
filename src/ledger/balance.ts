// The member's balance, computed from open lots and holds only.
import { timeOf } from "./dates";
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

/**
 * Balances already worked out, by state. A state is never changed once made (every plan makes a new
 * one, the object keeps the last), and time alone changes its balance only when it reaches a lot's
 * availableAt or expiresAt. So a read of a member who has not changed, and the second and third look
 * at a plan's next state (the answer, the segments, the redemption's check), walk no lots.
 */
const worked = new WeakMap<MemberState, { settings: ProgramSettings; from: number; until: number; balance: Balance }>();

export function balanceOf(state: MemberState, settings: ProgramSettings, now: Date): Balance {
  const at = now.getTime();
  const kept = worked.get(state);
  if (kept && kept.settings === settings && kept.from <= at && at < kept.until) return kept.balance;
  const { balance, until } = workOutBalance(state, settings, at);
  worked.set(state, { settings, from: at, until, balance });
  return balance;
}

/**
 * Adds a lot's points to the first EXPIRIES_SHOWN expiry dates, kept in date order as the lots are
 * walked: a member with hundreds of lots builds no map of every date and sorts none. A date pushed
 * out stays out, since EXPIRIES_SHOWN earlier dates are already in.
 */
function addExpiry(soonest: { points: number; expiresAt: string }[], expiresAt: string, points: number): void {
  let at = soonest.length;
  for (let i = 0; i < soonest.length; i++) {
    const kept = soonest[i]!;
    if (kept.expiresAt === expiresAt) {
      kept.points += points;
      return;
    }
    if (expiresAt < kept.expiresAt) {
      at = i;
      break;
    }
  }
  if (at >= EXPIRIES_SHOWN) return;
  soonest.splice(at, 0, { points, expiresAt });
  if (soonest.length > EXPIRIES_SHOWN) soonest.pop();
}

/** The balance at `at`, and the first instant after it at which a lot turns available or expires. */
function workOutBalance(state: MemberState, settings: ProgramSettings, at: number): { balance: Balance; until: number } {
  let available = 0;
  let pending = 0;
  let until = Infinity;
  const soonest: { points: number; expiresAt: string }[] = [];
  for (const lot of state.lots) {
    if (lot.remaining <= 0) continue;
    const expires = lot.expiresAt === null ? Infinity : timeOf(lot.expiresAt);
    if (expires <= at) continue;
    until = Math.min(until, expires);
    const availableAt = timeOf(lot.availableAt);
    if (availableAt <= at) available += lot.remaining;
    else {
      pending += lot.remaining;
      until = Math.min(until, availableAt);
    }
    if (lot.expiresAt) addExpiry(soonest, lot.expiresAt, lot.remaining);
  }
  // The lots not loaded are all available and unexpired (the object loads them before that changes).
  if (state.rest) {
    available += state.rest.points;
    for (const { expiresAt, points } of state.rest.expiries) addExpiry(soonest, expiresAt, points);
    const first = state.rest.expiries[0];
    if (first) until = Math.min(until, timeOf(first.expiresAt));
  }
  const held = state.holds.reduce((sum, hold) => sum + hold.points, 0);
  const member = state.member;
  const inactivityDate = idleDeadline(member, settings.expiry);
  const nextExpiries = inactivityDate
    ? available + pending > 0
      ? [{ points: available + pending, expiresAt: inactivityDate.toISOString() }]
      : []
    : soonest;
  const balance = {
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
  return { balance, until };
}
