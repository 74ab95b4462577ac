// Point expiry and expiry warnings as pure functions: the member's state and a clock in, a Plan out.
import { isExpired } from "./allocation";
import { addDays, iso } from "./dates";
import { idleDeadline } from "./expiry";
import { emptyPlan, entry, event, touched, type OpContext } from "./plan";
import type { ProgramSettings } from "./settings";
import type { MemberState, OpenLot, Plan } from "./state";

/**
 * Lots per batch. One member's expiry is written as several batches when it
 * has more, so no single D1 batch grows without bound.
 */
export const EXPIRY_BATCH_LOTS = 100;

export interface DueLot {
  lot: OpenLot;
  /** When the points expired: the lot's own date, or the end of the member's allowed idle time. */
  expiredAt: string;
  reason: "lot_expired" | "inactivity";
}

/**
 * The open lots that have expired by `now`: those past their own date (whatever
 * the policy is today, a lot keeps the date it was earned with) and, once the
 * member has been idle too long under the inactivity policy, all the others.
 * Held points are not in the lots any more, so a hold keeps its points.
 */
export function dueLots(state: MemberState, settings: ProgramSettings, now: Date): DueLot[] {
  const deadline = idleDeadline(state.member, settings.expiry);
  const idle = deadline !== null && deadline.getTime() <= now.getTime();
  const due: DueLot[] = [];
  for (const lot of state.lots) {
    if (lot.remaining <= 0) continue;
    if (isExpired(lot, now)) due.push({ lot, expiredAt: lot.expiresAt!, reason: "lot_expired" });
    else if (idle) due.push({ lot, expiredAt: iso(deadline), reason: "inactivity" });
  }
  return due.sort((a, b) => (a.expiredAt < b.expiredAt ? -1 : a.expiredAt > b.expiredAt ? 1 : a.lot.id < b.lot.id ? -1 : 1));
}

export interface ExpiryResult {
  lots: number;
  points: number;
  /** More lots were due than one batch takes: call again. */
  more: boolean;
}

/**
 * Expires what is due, one `expire` entry per lot: each entry keeps the lot
 * and the partner that issued it, so breakage per partner (coalition
 * settlement) and a lot's whole story read straight from the history.
 * Returns null when nothing is due, so a second run writes nothing.
 */
export function expireDue(state: MemberState, ctx: OpContext, maxLots = EXPIRY_BATCH_LOTS): Plan<ExpiryResult> | null {
  if (!state.member) return null;
  const due = dueLots(state, ctx.settings, ctx.now);
  if (due.length === 0) return null;
  const batch = due.slice(0, maxLots);
  const points = batch.reduce((sum, d) => sum + d.lot.remaining, 0);
  const member = touched(state.member, ctx, false);
  const plan = emptyPlan(member, state, { lots: batch.length, points, more: due.length > batch.length });
  for (const { lot, expiredAt, reason } of batch) {
    plan.lotDeltas.push({ lotId: lot.id, delta: -lot.remaining, expired: lot.remaining });
    plan.entries.push(
      entry(ctx, {
        type: "expire",
        points: -lot.remaining,
        lotId: lot.id,
        orderId: lot.orderId,
        partnerId: lot.partnerId,
        occurredAt: expiredAt,
        details: { reason, earnedAt: lot.earnedAt, expiresAt: expiredAt },
      }),
    );
  }
  // By the last lot's date (the batch is in date order) every point of the batch had expired.
  plan.events.push(
    event(ctx, "points.expired", null, {
      memberId: member.memberId,
      points,
      lots: batch.map(({ lot, expiredAt }) => ({ lotId: lot.id, points: lot.remaining, expiredAt, partnerId: lot.partnerId })),
    }, batch.at(-1)!.expiredAt),
  );
  const expired = new Set(batch.map((d) => d.lot.id));
  plan.nextState = { ...plan.nextState, lots: state.lots.filter((lot) => !expired.has(lot.id)) };
  return plan;
}

export interface ExpiringPoints {
  expiresAt: string;
  points: number;
}

/**
 * The points that expire within the program's warning lead time, per expiry
 * date: the lots' own dates, or under the inactivity policy the one date all
 * points go. Pending points count too: they expire with their lot.
 */
export function expiringSoon(state: MemberState, settings: ProgramSettings, now: Date): ExpiringPoints[] {
  const lead = settings.expiryWarning?.daysBefore;
  if (!lead || !state.member) return [];
  const horizon = addDays(now, lead).getTime();
  const within = (at: number) => at > now.getTime() && at <= horizon;
  const open = state.lots.filter((lot) => lot.remaining > 0 && !isExpired(lot, now));
  const deadline = idleDeadline(state.member, settings.expiry);
  if (deadline) {
    const points = open.reduce((sum, lot) => sum + lot.remaining, 0);
    return within(deadline.getTime()) && points > 0 ? [{ expiresAt: iso(deadline), points }] : [];
  }
  const byDate = new Map<string, number>();
  for (const lot of open) {
    if (lot.expiresAt && within(Date.parse(lot.expiresAt))) byDate.set(lot.expiresAt, (byDate.get(lot.expiresAt) ?? 0) + lot.remaining);
  }
  return [...byDate].sort(([a], [b]) => (a < b ? -1 : 1)).map(([expiresAt, points]) => ({ expiresAt, points }));
}

/**
 * One `points.expiring` event per expiry date the member has not been warned
 * about yet (`warned` holds the dates already recorded). The plan records the
 * dates in the same batch, so a date is never warned twice.
 */
export function warnExpiring(state: MemberState, warned: ReadonlySet<string>, ctx: OpContext): Plan<{ warnings: ExpiringPoints[] }> | null {
  if (!state.member) return null;
  const warnings = expiringSoon(state, ctx.settings, ctx.now).filter((w) => !warned.has(w.expiresAt));
  if (warnings.length === 0) return null;
  const plan = emptyPlan(touched(state.member, ctx, false), state, { warnings });
  plan.expiryWarnings = warnings;
  for (const warning of warnings) {
    plan.events.push(event(ctx, "points.expiring", null, { memberId: state.member.memberId, ...warning }));
  }
  return plan;
}
