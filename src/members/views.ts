// The JSON shapes of members and redemptions as the API shows them.
import { balanceOf } from "../ledger/balance";
import type { ProgramSettings } from "../ledger/settings";
import type { MemberState, Redemption } from "../ledger/state";

export function memberView(state: MemberState, settings: ProgramSettings, now: Date) {
  const member = state.member!;
  return {
    memberId: member.memberId,
    email: member.email,
    name: member.name,
    attributes: member.attributes,
    tier: member.tier,
    enrolledAt: member.enrolledAt,
    updatedAt: member.updatedAt,
    lastActivityAt: member.lastActivityAt,
    birthday: member.birthday ?? null,
    marketingConsent: member.marketingConsent ?? null,
    balance: balanceOf(state, settings, now),
  };
}

export function redemptionView(redemption: Redemption) {
  return {
    id: redemption.id,
    memberId: redemption.memberId,
    status: redemption.status,
    points: redemption.points,
    value: { amount: redemption.valueAmount, currency: redemption.currency },
    orderId: redemption.orderId,
    channel: redemption.channel,
    partnerId: redemption.partnerId,
    holdExpiresAt: redemption.holdExpiresAt,
    createdAt: redemption.createdAt,
    updatedAt: redemption.updatedAt,
  };
}

export type MemberView = ReturnType<typeof memberView>;
export type RedemptionView = ReturnType<typeof redemptionView>;
