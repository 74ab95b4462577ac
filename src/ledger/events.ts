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
}

export type EventType = keyof EventPayloadsByType;

/** One outbox event: a plan cannot build an event whose payload misses a field its type carries. */
export type OutboxEvent = {
  [T in EventType]: { id: string; type: T; partnerId: string | null; payload: EventPayloadsByType[T] & { occurredAt: string; recordedAt: string } };
}[EventType];
