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
import { cancelMembership, lapsePlan, membershipMovePlan, renewMembership, startMembership } from "../src/memberships/memberships";
import { newReferral, qualify } from "../src/referrals/lifecycle";
import { qualificationPlan } from "../src/referrals/rewards";
import { recordActivity } from "../src/activities/activity";
import { birthdayBonus } from "../src/bonuses/ops";
import { adjust } from "../src/ledger/ops/adjust";
import type { ActiveRule } from "../src/campaigns/rules";

const settings = defaultSettings({
  expiry: { policy: "rolling", days: 30 },
  expiryWarning: { daysBefore: 10 },
  tiers: [{ name: "gold", threshold: 50, multiplierPercent: 100 }],
});

let ids = 0;
function ctxAt(at: string, s: ProgramSettings = settings): OpContext {
  return { settings: s, now: new Date(at), newId: (prefix) => `${prefix}_${++ids}`, partnerId: null };
}

/** Written outside a member's plan: campaign.budget_exhausted by the budget's own object (test/budgets), member.erased by the erasure (test/gdpr). */
const OUTSIDE_PLANS: readonly string[] = ["campaign.budget_exhausted", "member.erased"];
const PLAN_EVENT_TYPES = WEBHOOK_EVENT_TYPES.filter((type) => !OUTSIDE_PLANS.includes(type));

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
  // Referrals granted on enrollment: the first completes when the referrer's object rewards it, the next is past the cap.
  const referrals = { ...settings.referrals, enabled: true, referrerPoints: 10, grantOn: { type: "enrollment" as const }, capPerReferrer: { count: 1, period: "month" as const } };
  const rewardAt = "2026-04-07T10:00:00.000Z";
  const first = qualify(newReferral("ref_1", "ada", "bob", "CODE", [], referrals, new Date(rewardAt)), null, 0, referrals, "lot_ref_1", new Date(rewardAt));
  const second = qualify(newReferral("ref_2", "ada", "eve", "CODE", [], referrals, new Date(rewardAt)), null, 1, referrals, null, new Date(rewardAt));
  for (const decision of [first, second]) if (decision.kind !== "wait") s = take(qualificationPlan(s, "ada", decision, ctxAt(rewardAt)), rewardAt);
  // A membership paid until the 10th and not renewed lapsed on the 10th, whenever the job came by.
  const plan = { id: "mpl_1", name: "Prime", price: EUR(4900), term: "month" as const, benefits: { earningMultiplierPercent: 100, freeShipping: true, earlyAccessDays: 0, exclusiveRewards: false }, renews: true, archivedAt: null, createdAt: rewardAt, updatedAt: rewardAt };
  const started = startMembership([], plan, "ada", { paidUntil: "2026-04-10T00:00:00.000Z", externalRef: null }, "mbr_1", new Date(rewardAt));
  s = take(membershipMovePlan(s, "ada", { kind: "started", membership: started }, ctxAt(rewardAt)), rewardAt);
  // Renewed on the 8th, cancelled for the term's end on the 9th: each as it was recorded.
  const renewAt = "2026-04-08T10:00:00.000Z";
  const membership = renewMembership(started, "2026-05-10T00:00:00.000Z", new Date(renewAt));
  s = take(membershipMovePlan(s, "ada", { kind: "renewed", before: started, membership }, ctxAt(renewAt)), renewAt);
  const cancelAt = "2026-04-09T10:00:00.000Z";
  s = take(membershipMovePlan(s, "ada", { kind: "cancelled", at: "term_end", membership: cancelMembership(membership, "term_end", new Date(cancelAt)) }, ctxAt(cancelAt)), cancelAt);
  s = take(lapsePlan(s, "ada", [membership], ctxAt("2026-05-12T10:00:00.000Z")), "2026-05-12T10:00:00.000Z", () => "2026-05-10T00:00:00.000Z");
  // A review written on the 13th and posted on the 14th, pending moderation: recorded when it was written.
  const review = { activityId: "act_1", type: "review", reference: "sku-1", occurredAt: "2026-05-13T08:00:00.000Z", attributes: {}, pending: true };
  s = take(recordActivity(s, "ada", review, null, ctxAt("2026-05-14T10:00:00.000Z")), "2026-05-14T10:00:00.000Z", () => review.occurredAt);
  // A birthday bonus on the member's day.
  const birthdayRule: ActiveRule = {
    campaignId: "cmp_1",
    version: 1,
    startsAt: "2026-01-01T00:00:00.000Z",
    endsAt: null,
    budget: null,
    rule: { id: "bday", trigger: { type: "birthday" }, conditions: {}, effect: { type: "fixed", points: 50, per: "order" }, limits: [], priority: 100, exclusive: false },
  };
  // A manual credit by customer service.
  s = take(adjust(s, "ada", { points: 25, reason: "goodwill", keyId: "key_1" }, ctxAt("2026-05-20T10:00:00.000Z")), "2026-05-20T10:00:00.000Z");
  const withBirthday: MemberState = { ...s, member: { ...s.member!, birthday: { month: 6, day: 1, year: null } } };
  const bonusAt = "2026-06-01T10:00:00.000Z";
  s = take(birthdayBonus(withBirthday, { rules: [birthdayRule], grants: [], budgetLeft: new Map() }, false, ctxAt(bonusAt)), bonusAt);
  // An order moves her into a segment of buyers; a later batch, with the segment's floor raised, out of it.
  const segments = [{ id: "seg_1", conditions: { orderCount: { min: 1 } } }];
  const buyingAt = "2026-06-07T10:00:00.000Z";
  const buying = accrue(s, "ada", { orderId: "o-2", amount: EUR(1_000), channel: "online", occurredAt: "2026-06-07T09:00:00.000Z" }, ctxAt(buyingAt));
  applySegmentChanges(buying, { previous: NO_STATS, wasIn: [], segments, availablePoints: 0, activePlans: [] }, ctxAt(buyingAt));
  s = take(buying, buyingAt, (e) => (e.type === "points.earned" ? "2026-06-07T09:00:00.000Z" : buyingAt));
  const leavingAt = "2026-06-08T10:00:00.000Z";
  const leaving = grantTier(s, "ada", { tier: null }, ctxAt(leavingAt))!;
  applySegmentChanges(leaving, { previous: buying.memberStats!.stats, wasIn: ["seg_1"], segments: [{ id: "seg_1", conditions: { orderCount: { min: 5 } } }], availablePoints: 0, activePlans: [] }, ctxAt(leavingAt));
  take(leaving, leavingAt);
  return seen;
}

describe("event dates", () => {
  it("covers every event type a member's plan writes", () => {
    expect(new Set(story().map((s) => s.event.type))).toEqual(new Set(PLAN_EVENT_TYPES));
  });

  it.each(PLAN_EVENT_TYPES)("%s carries when it happened and when it was recorded", (type) => {
    const events = story().filter((s) => s.event.type === type);
    expect(events.length).toBeGreaterThan(0);
    for (const { event, occurredAt, recordedAt } of events) {
      expect({ occurredAt: event.payload.occurredAt, recordedAt: event.payload.recordedAt }).toEqual({ occurredAt, recordedAt });
    }
  });
});
