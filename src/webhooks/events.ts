// What travels on the webhook queue, and the body an endpoint receives for an event.
import type { EventType, OutboxEvent } from "../ledger/state";
import { payloadForPartner } from "../members/partner-view";

/** Every event type the ledger writes to the outbox (src/ledger/ops/, expiry-ops.ts, tier-review.ts). */
export const WEBHOOK_EVENT_TYPES = [
  "member.enrolled",
  "points.earned",
  "points.redeemed",
  "points.refunded",
  "points.expiring",
  "points.expired",
  "redemption.held",
  "redemption.captured",
  "redemption.cancelled",
  "redemption.lapsed",
  "tier.changed",
  "segment.entered",
  "segment.left",
  "referral.completed",
  "referral.rejected",
  "membership.started",
  "membership.renewed",
  "membership.cancelled",
  "membership.lapsed",
  "campaign.budget_exhausted",
  "activity.recorded",
  "bonus.granted",
  "points.adjusted",
  "member.erased",
] as const satisfies readonly EventType[];

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
// And none missing: an event type added to the ledger must be listed above for endpoints to subscribe to it.
const everyEventListed: EventType extends WebhookEventType ? true : never = true;
void everyEventListed;

/** An outbox row as it travels: self-contained, so a delivery never reads the outbox again. */
export interface WebhookEvent {
  id: string;
  programId: string;
  memberId: string | null;
  /** The partner whose key caused the change (or who issued the points); null for the program's own. */
  partnerId: string | null;
  type: string;
  payload: Record<string, unknown>;
  createdAt: string;
}

/**
 * Two kinds of message share the queue: a committed event still to be fanned
 * out to the program's endpoints, and one event for one endpoint, which is
 * what gets retried and, in the end, dead-lettered.
 */
export type WebhookMessage = { kind: "event"; event: WebhookEvent } | { kind: "delivery"; endpointId: string; event: WebhookEvent };

export function fromPlan(programId: string, memberId: string, events: readonly OutboxEvent[], createdAt: string): WebhookEvent[] {
  return events.map((e) => ({ id: e.id, programId, memberId, partnerId: e.partnerId, type: e.type, payload: e.payload, createdAt }));
}

/** An outbox row as read from D1. */
export function fromRow(row: {
  id: string;
  programId: string;
  memberId: string | null;
  partnerId: string | null;
  type: string;
  payload: string;
  createdAt: string;
}): WebhookEvent {
  const { id, programId, memberId, partnerId, type, createdAt } = row;
  return { id, programId, memberId, partnerId, type, payload: JSON.parse(row.payload) as Record<string, unknown>, createdAt };
}

/**
 * The JSON an endpoint receives, in the Standard Webhooks shape (type,
 * timestamp, data). Built from the event and whether the endpoint is a
 * partner's (which gets what a partner key's answers show), so every attempt
 * sends the same bytes; the event id travels in the `webhook-id` header.
 */
export function webhookBody(event: WebhookEvent, forPartner: boolean): string {
  const payload = forPartner ? payloadForPartner(event.payload) : event.payload;
  return JSON.stringify({ type: event.type, timestamp: event.createdAt, data: { partnerId: event.partnerId, ...payload } });
}
