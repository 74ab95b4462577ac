// Paid and VIP memberships: plans, a membership's life (start, renew, cancel, lapse), as pure functions on plain data.
import { DomainError } from "../ledger/errors";
import type { MoneyAmount } from "../ledger/entries";
import { emptyPlan, event, requireMember, touched, type OpContext } from "../ledger/plan";
import type { MemberState, Plan } from "../ledger/state";

export type Term = "month" | "year";

export interface PlanBenefits {
  /** Percent on what an order earns: 200 doubles it. 100 = no change. */
  earningMultiplierPercent: number;
  freeShipping: boolean;
  /** Days before everyone else that rewards and campaigns open to the plan's members. */
  earlyAccessDays: number;
  /** Rewards restricted to a plan are open to its members (the catalog reads this). */
  exclusiveRewards: boolean;
}

export interface MembershipPlan {
  id: string;
  name: string;
  price: MoneyAmount;
  term: Term;
  benefits: PlanBenefits;
  /** Whether the storefront renews (and charges) it by itself; either way it lapses when not renewed in time. */
  renews: boolean;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type MembershipStatus = "active" | "cancelled" | "lapsed";

export interface Membership {
  id: string;
  memberId: string;
  planId: string;
  status: MembershipStatus;
  /** The end of what was paid: benefits hold until then, not a moment after. */
  paidUntil: string;
  externalRef: string | null;
  /** Cancelled for the end of its term: active until paidUntil, then lapsed. */
  cancelAtTermEnd: boolean;
  startedAt: string;
  endedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface StartInput {
  paidUntil: string;
  externalRef: string | null;
}

/** Whether a membership gives its benefits at `now`: active and paid for. */
export function inForce(membership: Membership, now: Date): boolean {
  return membership.status === "active" && Date.parse(membership.paidUntil) > now.getTime();
}

function requireLater(paidUntil: string, than: Date, what: string): void {
  if (!(Date.parse(paidUntil) > than.getTime())) {
    throw new DomainError("paid_until_not_later", `paidUntil must lie after ${what} (${than.toISOString()}).`, {
      errors: [{ path: "paidUntil", message: `not after ${than.toISOString()}` }],
    });
  }
}

/** A new membership of a plan; an archived plan is no longer sold, and a plan the member holds in force is renewed instead. */
export function startMembership(held: readonly Membership[], plan: MembershipPlan, memberId: string, input: StartInput, id: string, now: Date): Membership {
  if (plan.archivedAt !== null) throw new DomainError("membership_plan_archived", `Plan '${plan.id}' is archived and no longer sold.`);
  const current = held.find((m) => m.planId === plan.id && inForce(m, now));
  if (current) {
    throw new DomainError("membership_exists", `The member already holds plan '${plan.id}' (membership '${current.id}'); renew it instead.`, {
      membershipId: current.id,
    });
  }
  requireLater(input.paidUntil, now, "now");
  const at = now.toISOString();
  return {
    id,
    memberId,
    planId: plan.id,
    status: "active",
    paidUntil: new Date(input.paidUntil).toISOString(),
    externalRef: input.externalRef,
    cancelAtTermEnd: false,
    startedAt: at,
    endedAt: null,
    createdAt: at,
    updatedAt: at,
  };
}

function requireActive(membership: Membership, now: Date): void {
  // Past paidUntil it has lapsed, whether or not the job has come by.
  if (!inForce(membership, now)) {
    throw new DomainError("membership_not_active", `Membership '${membership.id}' is ${membership.status === "active" ? "past its paidUntil" : membership.status}.`, {
      status: membership.status,
    });
  }
}

/** The storefront took the next payment: paid for longer, and a cancellation for the term's end is withdrawn. */
export function renewMembership(membership: Membership, paidUntil: string, now: Date): Membership {
  requireActive(membership, now);
  requireLater(paidUntil, new Date(membership.paidUntil), "the current paidUntil");
  return { ...membership, paidUntil: new Date(paidUntil).toISOString(), cancelAtTermEnd: false, updatedAt: now.toISOString() };
}

export type CancelAt = "term_end" | "now";

/** At the term's end it stays active until paidUntil (the lapse job ends it); at once it ends now. */
export function cancelMembership(membership: Membership, at: CancelAt, now: Date): Membership {
  requireActive(membership, now);
  const iso = now.toISOString();
  if (at === "term_end") return { ...membership, cancelAtTermEnd: true, updatedAt: iso };
  return { ...membership, status: "cancelled", endedAt: iso, updatedAt: iso };
}

export interface Lapse {
  membership: Membership;
  reason: "not_renewed" | "cancelled";
}

/** Active memberships past their paidUntil, lapsed as of that date. A lapsed one is never lapsed again. */
export function lapseDue(held: readonly Membership[], now: Date): Lapse[] {
  return held
    .filter((m) => m.status === "active" && Date.parse(m.paidUntil) <= now.getTime())
    .map((m) => ({
      membership: { ...m, status: "lapsed" as const, endedAt: m.paidUntil, updatedAt: now.toISOString() },
      reason: m.cancelAtTermEnd ? ("cancelled" as const) : ("not_renewed" as const),
    }));
}

/**
 * The member's plan for the lapses due: one `membership.lapsed` event each,
 * dated at the paidUntil it lapsed at; null when none is due.
 */
export function lapsePlan(state: MemberState, memberId: string, held: readonly Membership[], ctx: OpContext): Plan<{ lapses: Lapse[] }> | null {
  const lapses = lapseDue(held, ctx.now);
  if (lapses.length === 0 || !state.member) return null;
  const plan = emptyPlan(touched(requireMember(state, memberId), ctx, false), state, { lapses });
  for (const { membership: m, reason } of lapses) {
    plan.events.push(event(ctx, "membership.lapsed", null, { memberId, membershipId: m.id, planId: m.planId, paidUntil: m.paidUntil, reason }, m.paidUntil));
  }
  return plan;
}

/** What the storefront told Treue about one membership: the change as the member's object commits it. */
export type MembershipMove =
  | { kind: "started"; membership: Membership }
  | { kind: "renewed"; before: Membership; membership: Membership }
  | { kind: "cancelled"; at: CancelAt; membership: Membership };

/**
 * The member's plan for a start, renewal or cancellation: the row changes
 * beside it (the caller's), and its event goes in the same batch, so an
 * endpoint hears of a membership exactly when it committed.
 */
export function membershipMovePlan(state: MemberState, memberId: string, move: MembershipMove, ctx: OpContext): Plan<null> {
  const plan = emptyPlan(touched(requireMember(state, memberId), ctx, false), state, null);
  const m = move.membership;
  const base = { memberId, membershipId: m.id, planId: m.planId, paidUntil: m.paidUntil };
  if (move.kind === "started") plan.events.push(event(ctx, "membership.started", null, { ...base, externalRef: m.externalRef }));
  else if (move.kind === "renewed") plan.events.push(event(ctx, "membership.renewed", null, { ...base, previousPaidUntil: move.before.paidUntil }));
  else plan.events.push(event(ctx, "membership.cancelled", null, { ...base, at: move.at, endsAt: move.at === "now" ? (m.endedAt ?? m.updatedAt) : m.paidUntil }));
  return plan;
}
