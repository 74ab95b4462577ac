// What the member's object does for memberships: start, renew, cancel and lapse them in the member's own batch.
import type { Database } from "../db/client";
import { DomainError, memberNotFound } from "../ledger/errors";
import { emptyPlan, requireMember, touched, type OpContext } from "../ledger/plan";
import type { MemberState } from "../ledger/state";
import { newId } from "../lib/ids";
import type { ObjectWork } from "../referrals/object-work";
import { cancelMembership, lapsePlan, renewMembership, startMembership as start, type CancelAt, type Membership, type MembershipPlan } from "./memberships";
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
  const plan = lapsePlan(state, who.memberId, held, ctx);
  if (!plan) return { plan: null, value: { lapsed: [] } };
  const { lapses } = plan.result;
  const extra = lapses.map(({ membership }) => updateMembership(db, who.programId, held.find((m) => m.id === membership.id)!, membership));
  return { plan, extra, value: { lapsed: lapses.map((l) => l.membership.id) } };
}
