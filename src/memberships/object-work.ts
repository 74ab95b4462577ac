// What the member's object does for memberships: start, renew, cancel and lapse them in the member's own batch.
import type { Database } from "../db/client";
import { DomainError, memberNotFound } from "../ledger/errors";
import type { OpContext } from "../ledger/plan";
import type { MemberState } from "../ledger/state";
import { newId } from "../lib/ids";
import type { ObjectWork } from "../referrals/object-work";
import { cancelMembership, lapsePlan, membershipMovePlan, renewMembership, startMembership as start, type CancelAt, type Membership, type MembershipPlan } from "./memberships";
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

function requireEnrolled(state: MemberState, memberId: string): void {
  if (!state.member) throw memberNotFound(memberId);
}

export async function startMembership(db: Database, who: Who, state: MemberState, input: StartMembershipInput, ctx: OpContext): Promise<ObjectWork<MembershipView>> {
  requireEnrolled(state, who.memberId);
  const held = await membershipsOf(db, who.programId, who.memberId);
  const membership = start(held, input.plan, who.memberId, { paidUntil: input.paidUntil, externalRef: input.externalRef }, newId("mbr"), ctx.now);
  const plan = membershipMovePlan(state, who.memberId, { kind: "started", membership }, ctx);
  return { plan, extra: [insertMembership(db, who.programId, membership)], value: membership };
}

export async function changeMembership(db: Database, who: Who, state: MemberState, change: MembershipChange, ctx: OpContext): Promise<ObjectWork<MembershipView>> {
  requireEnrolled(state, who.memberId);
  const held = await membershipsOf(db, who.programId, who.memberId);
  const current = held.find((m) => m.id === change.membershipId);
  if (!current) throw new DomainError("membership_not_found", `No membership '${change.membershipId}' of this member.`);
  const next = change.kind === "renew" ? renewMembership(current, change.paidUntil, ctx.now) : cancelMembership(current, change.at, ctx.now);
  const move = change.kind === "renew" ? ({ kind: "renewed", before: current, membership: next } as const) : ({ kind: "cancelled", at: change.at, membership: next } as const);
  return { plan: membershipMovePlan(state, who.memberId, move, ctx), extra: [updateMembership(db, who.programId, current, next)], value: next };
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
