// Enrolment: a new member, or an existing member's contact details updated.
import { emptyPlan, event, newMember, touched, type OpContext } from "../plan";
import type { MemberRecord, MemberState, Plan } from "../state";

export interface EnrollInput {
  email?: string | null;
  name?: string | null;
  attributes?: Record<string, unknown>;
  /** Validated by the route (a real calendar date); null removes it. */
  birthday?: { month: number; day: number; year?: number | null } | null;
  /** Given or withdrawn now; `source` says how (a checkout box, a preference page). */
  marketingConsent?: { granted: boolean; source?: string };
}

export function enroll(state: MemberState, memberId: string, input: EnrollInput, ctx: OpContext): Plan<{ created: boolean }> {
  if (!state.member) {
    const { marketingConsent, ...profile } = input;
    const member: MemberRecord = { ...newMember(memberId, { ...profile, birthday: birthdayOf(input.birthday) }, ctx.now), ...consentOf(marketingConsent, ctx) };
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
    ...consentOf(input.marketingConsent, ctx),
  };
  return emptyPlan(member, state, { created: false });
}

/** A consent said in this request, stamped with the request's time; nothing when the request does not say. */
function consentOf(consent: EnrollInput["marketingConsent"], ctx: OpContext): Pick<MemberRecord, "marketingConsent"> {
  if (!consent) return {};
  return { marketingConsent: { granted: consent.granted, at: ctx.now.toISOString(), source: consent.source ?? "api" } };
}

function birthdayOf(birthday: EnrollInput["birthday"]): MemberRecord["birthday"] {
  return birthday ? { month: birthday.month, day: birthday.day, year: birthday.year ?? null } : null;
}
