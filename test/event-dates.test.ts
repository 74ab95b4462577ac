// Every event type says when its change happened (occurredAt) and when the ledger recorded it (recordedAt).
import { describe, expect, it } from "vitest";
import { WEBHOOK_EVENT_TYPES } from "../src/webhooks/events";
import { expireDue, warnExpiring } from "../src/ledger/expiry-ops";
import { accrue } from "../src/ledger/ops/accrue";
import { enroll } from "../src/ledger/ops/enroll";
import { cancelRedemption, captureHold, lapseDueHolds, redeem } from "../src/ledger/ops/redeem";
import { refund } from "../src/ledger/ops/refund";
import type { OpContext } from "../src/ledger/plan";
import { defaultSettings, type ProgramSettings } from "../src/ledger/settings";
import type { MemberState, OutboxEvent, Plan } from "../src/ledger/state";
import { grantTier } from "../src/ledger/tier-review";
import { applySegmentChanges } from "../src/segments/batch";
import { NO_STATS } from "../src/segments/stats";

const settings = defaultSettings({
  expiry: { policy: "rolling", days: 30 },
  expiryWarning: { daysBefore: 10 },
  tiers: [{ name: "gold", threshold: 50, multiplierPercent: 100 }],
});

let ids = 0;
function ctxAt(at: string, s: ProgramSettings = settings): OpContext {
  return { settings: s, now: new Date(at), newId: (prefix) => `${prefix}_${++ids}`, partnerId: null };
}

const ORDER_AT = "2026-03-01T09:00:00.000Z";
const POSTED_AT = "2026-03-03T10:00:00.000Z";
const EUR = (amount: number) => ({ amount, currency: "EUR" });

/** Each event type with the dates it must carry, from one member's story told to the pure operations. */
function story(): { event: OutboxEvent; occurredAt: string; recordedAt: string }[] {
  const seen: { event: OutboxEvent; occurredAt: string; recordedAt: string }[] = [];
  const take = <R>(plan: Plan<R> | null, at: string, occurredAt: (e: OutboxEvent) => string = () => at): MemberState => {
    for (const event of plan!.events) seen.push({ event, occurredAt: occurredAt(event), recordedAt: at });
    return plan!.nextState;
  };
  let s: MemberState = { member: null, lots: [], holds: [] };
  s = take(enroll(s, "ada", {}, ctxAt("2026-03-03T09:00:00.000Z")), "2026-03-03T09:00:00.000Z");
  // An order of two days ago, posted now: the earning happened when the order did; the upgrade now.
  const earned = accrue(s, "ada", { orderId: "o-1", amount: EUR(10_000), channel: "store", occurredAt: ORDER_AT }, ctxAt(POSTED_AT));
  s = take(earned, POSTED_AT, (e) => (e.type === "points.earned" ? ORDER_AT : POSTED_AT));
  s = take(redeem(s, "ada", { mode: "capture", points: 5, channel: "online" }, ctxAt("2026-03-04T10:00:00.000Z")), "2026-03-04T10:00:00.000Z");
  s = take(redeem(s, "ada", { mode: "hold", points: 5, channel: "online", ttlSeconds: 60 }, ctxAt("2026-03-05T10:00:00.000Z")), "2026-03-05T10:00:00.000Z");
  s = take(captureHold(s, s.holds[0]!, ctxAt("2026-03-05T10:00:30.000Z")), "2026-03-05T10:00:30.000Z");
  s = take(redeem(s, "ada", { mode: "hold", points: 5, channel: "online", ttlSeconds: 60 }, ctxAt("2026-03-06T10:00:00.000Z")), "2026-03-06T10:00:00.000Z");
  s = take(cancelRedemption(s, s.holds[0]!, ctxAt("2026-03-06T10:00:10.000Z")), "2026-03-06T10:00:10.000Z");
  // A hold that ran out at 10:01 and was noticed at 12:00 lapsed at 10:01.
  s = take(redeem(s, "ada", { mode: "hold", points: 5, channel: "online", ttlSeconds: 60 }, ctxAt("2026-03-07T10:00:00.000Z")), "2026-03-07T10:00:00.000Z");
  s = take(lapseDueHolds(s, ctxAt("2026-03-07T12:00:00.000Z")), "2026-03-07T12:00:00.000Z", () => "2026-03-07T10:01:00.000Z");
  s = take(refund(s, "ada", earned.newOrder!, s.lots.find((l) => l.id === earned.newOrder!.lotId) ? { id: earned.newOrder!.lotId!, remaining: s.lots.find((l) => l.id === earned.newOrder!.lotId)!.remaining, expired: 0 } : null, { orderId: "o-1", amount: EUR(1_000) }, ctxAt("2026-03-08T10:00:00.000Z")), "2026-03-08T10:00:00.000Z");
  s = take(warnExpiring(s, new Set(), ctxAt("2026-03-25T10:00:00.000Z")), "2026-03-25T10:00:00.000Z");
  // The lot expired on its date (30 days after the order); the job got to it days later.
  s = take(expireDue(s, ctxAt("2026-04-05T10:00:00.000Z")), "2026-04-05T10:00:00.000Z", () => "2026-03-31T09:00:00.000Z");
  s = take(grantTier(s, "ada", { tier: null }, ctxAt("2026-04-06T10:00:00.000Z")), "2026-04-06T10:00:00.000Z");
  // An order moves her into a segment of buyers; a later batch, with the segment's floor raised, out of it.
  const segments = [{ id: "seg_1", conditions: { orderCount: { min: 1 } } }];
  const buying = accrue(s, "ada", { orderId: "o-2", amount: EUR(1_000), channel: "online", occurredAt: "2026-04-07T09:00:00.000Z" }, ctxAt("2026-04-07T10:00:00.000Z"));
  applySegmentChanges(buying, { previous: NO_STATS, wasIn: [], segments, availablePoints: 0, activePlans: [] }, ctxAt("2026-04-07T10:00:00.000Z"));
  s = take(buying, "2026-04-07T10:00:00.000Z", (e) => (e.type === "points.earned" ? "2026-04-07T09:00:00.000Z" : "2026-04-07T10:00:00.000Z"));
  const leaving = grantTier(s, "ada", { tier: null }, ctxAt("2026-04-08T10:00:00.000Z"))!;
  applySegmentChanges(leaving, { previous: buying.memberStats!.stats, wasIn: ["seg_1"], segments: [{ id: "seg_1", conditions: { orderCount: { min: 5 } } }], availablePoints: 0, activePlans: [] }, ctxAt("2026-04-08T10:00:00.000Z"));
  take(leaving, "2026-04-08T10:00:00.000Z");
  return seen;
}

describe("event dates", () => {
  it("covers every event type", () => {
    expect(new Set(story().map((s) => s.event.type))).toEqual(new Set(WEBHOOK_EVENT_TYPES));
  });

  it.each(WEBHOOK_EVENT_TYPES)("%s carries when it happened and when it was recorded", (type) => {
    const events = story().filter((s) => s.event.type === type);
    expect(events.length).toBeGreaterThan(0);
    for (const { event, occurredAt, recordedAt } of events) {
      expect({ occurredAt: event.payload.occurredAt, recordedAt: event.payload.recordedAt }).toEqual({ occurredAt, recordedAt });
    }
  });
});
