// Enrolment: a new member, or an existing member's contact details updated.
import { emptyPlan, event, newMember, touched, type OpContext } from "../plan";
import type { MemberRecord, MemberState, Plan } from "../state";

export interface EnrollInput {
  email?: string | null;
  name?: string | null;
  attributes?: Record<string, unknown>;
  /** Validated by the route (a real calendar date); null removes it. */
  birthday?: { month: number; day: number; year?: number | null } | null;
}

export function enroll(state: MemberState, memberId: string, input: EnrollInput, ctx: OpContext): Plan<{ created: boolean }> {
  if (!state.member) {
    const member = newMember(memberId, { ...input, birthday: birthdayOf(input.birthday) }, ctx.now);
    const plan = emptyPlan(member, state, { created: true });
    plan.memberIsNew = true;
    plan.events.push(event(ctx, "member.enrolled", ctx.partnerId, { memberId }));
    return plan;
  }
  const member: MemberRecord = {
    ...touched(state.member, ctx, false),
    email: input.email === undefined ? state.member.email : input.email,
    name: input.name === undefined ? state.member.name : input.name,
    attributes: input.attributes ?? state.member.attributes,
    birthday: input.birthday === undefined ? (state.member.birthday ?? null) : birthdayOf(input.birthday),
  };
  return emptyPlan(member, state, { created: false });
}

function birthdayOf(birthday: EnrollInput["birthday"]): MemberRecord["birthday"] {
  return birthday ? { month: birthday.month, day: birthday.day, year: birthday.year ?? null } : null;
}
