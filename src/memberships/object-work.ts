// What the member's object does for memberships: start, renew, cancel and lapse them in the member's own batch.
import type { Database } from "../db/client";
import { DomainError, memberNotFound } from "../ledger/errors";
import { emptyPlan, event, requireMember, touched, type OpContext } from "../ledger/plan";
import type { MemberState } from "../ledger/state";
import { newId } from "../lib/ids";
import type { ObjectWork } from "../referrals/object-work";
import { cancelMembership, lapseDue, renewMembership, startMembership as start, type CancelAt, type Membership, type MembershipPlan } from "./memberships";
import { insertMembership, membershipsOf, updateMembership } from "./store";

export type MembershipView = Membership;

export interface StartMembershipInput {
  plan: MembershipPlan;
  paidUntil: string;
  externalRef: string | null;
}

export type MembershipChange = { membershipId: string } & ({ kind: "renew"; paidUntil: string } | { kind: "cancel"; at: CancelAt });

interface Who {
  programId: string;
  memberId: string;
}

function member(state: MemberState, memberId: string, ctx: OpContext) {
  if (!state.member) throw memberNotFound(memberId);
  return touched(requireMember(state, memberId), ctx, false);
}

export async function startMembership(db: Database, who: Who, state: MemberState, input: StartMembershipInput, ctx: OpContext): Promise<ObjectWork<MembershipView>> {
  const record = member(state, who.memberId, ctx);
  const held = await membershipsOf(db, who.programId, who.memberId);
  const membership = start(held, input.plan, who.memberId, { paidUntil: input.paidUntil, externalRef: input.externalRef }, newId("mbr"), ctx.now);
  return { plan: emptyPlan(record, state, null), extra: [insertMembership(db, who.programId, membership)], value: membership };
}

export async function changeMembership(db: Database, who: Who, state: MemberState, change: MembershipChange, ctx: OpContext): Promise<ObjectWork<MembershipView>> {
  const record = member(state, who.memberId, ctx);
  const held = await membershipsOf(db, who.programId, who.memberId);
  const current = held.find((m) => m.id === change.membershipId);
  if (!current) throw new DomainError("membership_not_found", `No membership '${change.membershipId}' of this member.`);
  const next = change.kind === "renew" ? renewMembership(current, change.paidUntil, ctx.now) : cancelMembership(current, change.at, ctx.now);
  return { plan: emptyPlan(record, state, null), extra: [updateMembership(db, who.programId, current, next)], value: next };
}

export async function lapseMemberships(db: Database, who: Who, state: MemberState, ctx: OpContext): Promise<ObjectWork<{ lapsed: string[] }>> {
  if (!state.member) return { plan: null, value: { lapsed: [] } };
  const held = await membershipsOf(db, who.programId, who.memberId);
  const due = lapseDue(held, ctx.now);
  if (due.length === 0) return { plan: null, value: { lapsed: [] } };
  const plan = emptyPlan(member(state, who.memberId, ctx), state, null);
  const extra = due.map(({ membership }) => updateMembership(db, who.programId, held.find((m) => m.id === membership.id)!, membership));
  for (const { membership, reason } of due) {
    plan.events.push(
      event(ctx, "membership.lapsed", null, { memberId: who.memberId, membershipId: membership.id, planId: membership.planId, paidUntil: membership.paidUntil, reason }, membership.paidUntil),
    );
  }
  return { plan, extra, value: { lapsed: due.map((d) => d.membership.id) } };
}
