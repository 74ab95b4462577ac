// The typed shape of every event the ledger writes to the outbox, discriminated on `type`.
import type { MoneyAmount, TierEntryDetails } from "./entries";
import type { Redemption } from "./state";

type RedemptionPayload = {
  memberId: string;
  redemptionId: string;
  points: number;
  orderId: string | null;
};

/** What each event type says, before the `occurredAt` and `recordedAt` every event carries. */
export interface EventPayloadsByType {
  "member.enrolled": { memberId: string };
  "points.earned": { memberId: string; orderId: string; accrualId: string; points: number; debtPaid: number };
  "points.redeemed": RedemptionPayload;
  "points.refunded": { memberId: string; orderId: string; points: number; fromExpired: number; addedToDebt: number; refundedAmount: MoneyAmount };
  "points.expiring": { memberId: string; expiresAt: string; points: number };
  "points.expired": {
    memberId: string;
    points: number;
    lots: { lotId: string; points: number; expiredAt: string; partnerId: string | null }[];
  };
  "redemption.held": RedemptionPayload;
  "redemption.captured": RedemptionPayload;
  "redemption.cancelled": RedemptionPayload & { previousStatus: Redemption["status"] };
  /** A hold lapsed by its timer names neither its order nor its previous status; one lapsed on cancel names both. */
  "redemption.lapsed":
    | (RedemptionPayload & { previousStatus: Redemption["status"] })
    | { memberId: string; redemptionId: string; points: number };
  "tier.changed": { memberId: string } & TierEntryDetails;
  /** A member's batch moved their statistics into or out of a segment (src/segments). */
  "segment.entered": { memberId: string; segmentId: string };
  "segment.left": { memberId: string; segmentId: string };
  /** A referral whose rewards were granted and whose qualifying order is past its return window (or granted at enrollment). */
  "referral.completed": {
    memberId: string;
    referralId: string;
    referrerId: string;
    refereeId: string;
    referrerPoints: number;
    refereePoints: number;
    /** A catalog reward each side got instead of points; null for points. */
    referrerRewardId: string | null;
    refereeRewardId: string | null;
  };
  /** A referral refused by the fraud rules or the referrer's cap; `memberId` is whose object recorded it. */
  "referral.rejected": { memberId: string; referralId: string; referrerId: string; refereeId: string; fraudFlags: string[] };
  /** The storefront recorded a new membership of a plan: its benefits hold from now until paidUntil. */
  "membership.started": { memberId: string; membershipId: string; planId: string; paidUntil: string; externalRef: string | null };
  /** The storefront took the next payment: paid for longer (a cancellation for the term's end is withdrawn). */
  "membership.renewed": { memberId: string; membershipId: string; planId: string; previousPaidUntil: string; paidUntil: string };
  /** Cancelled at once (`endsAt` is now) or for the term's end (`endsAt` is paidUntil; `membership.lapsed` follows then). */
  "membership.cancelled": { memberId: string; membershipId: string; planId: string; at: "term_end" | "now"; paidUntil: string; endsAt: string };
  /** A membership that was not renewed past its paidUntil (or cancelled for its term's end). */
  "membership.lapsed": { memberId: string; membershipId: string; planId: string; paidUntil: string; reason: "not_renewed" | "cancelled" };
  /** Once per campaign: its budget's points are all issued (written by the budget's object, not a member's batch). */
  "campaign.budget_exhausted": { campaignId: string; budgetPoints: number; issuedPoints: number };
  /** Posted (pending or earning at once), then confirmed or rejected: `status` says which. */
  "activity.recorded": { memberId: string; activityId: string; type: string; reference: string; status: "pending" | "confirmed" | "rejected"; points: number };
  /** The sign-up bonus, or a year's birthday bonus. */
  "bonus.granted": { memberId: string; bonus: "enrollment" | "birthday"; points: number; year?: number };
  /** A manual adjustment: `points` positive for a credit, negative for a debit. */
  "points.adjusted": { memberId: string; adjustmentId: string; points: number; reason: string; lotId: string | null; debtPaid: number };
  /** The member's personal data was erased: the payload names only the (now pseudonymous) id. */
  "member.erased": { memberId: string };
}

export type EventType = keyof EventPayloadsByType;

/** One outbox event: a plan cannot build an event whose payload misses a field its type carries. */
export type OutboxEvent = {
  [T in EventType]: { id: string; type: T; partnerId: string | null; payload: EventPayloadsByType[T] & { occurredAt: string; recordedAt: string } };
}[EventType];
