// A referral's life as pure decisions, and its rewards as ledger plans: credit into a lot of its own, clawback on cancel.
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../../src/ledger/settings";
import { newReferral, qualify, settle } from "../../src/referrals/lifecycle";
import { clawBackReferral, creditReferral, qualificationPlan, referralLotId, rewardOf, settlementPlan } from "../../src/referrals/rewards";
import type { QualifyingOrder } from "../../src/referrals/store";
import { context, member, NOW } from "../ledger/build";

const now = new Date(NOW);
const settings = defaultSettings({
  referrals: { enabled: true, referrerPoints: 1000, refereePoints: 500, grantOn: { type: "first_order", minAmount: 5000 }, capPerReferrer: { count: 2, period: "month" } },
}).referrals;
const order: QualifyingOrder = { issuer: "", orderId: "o-1", amount: 8000, availableAt: "2026-03-24T12:00:00.000Z" };

describe("a referral's life", () => {
  const pending = newReferral("ref_1", "ada", "bob", "CODE", [], settings, now);

  it("is recorded pending, or rejected when any rule flags it", () => {
    expect(pending).toMatchObject({ status: "pending", trigger: "first_order", minOrderAmount: 5000, referrerPoints: 1000, refereePoints: 500 });
    expect(newReferral("ref_2", "ada", "ada", "CODE", ["self_referral"], settings, now)).toMatchObject({ status: "rejected", fraudFlags: ["self_referral"] });
  });

  it("waits for the referee's qualifying order", () => {
    expect(qualify(pending, null, 0, settings, "lot_x", now)).toEqual({ kind: "wait" });
  });

  it("is rewarded on the order, the referrer's points pending until the order's window ends", () => {
    const decision = qualify(pending, order, 1, settings, "lot_x", now);
    expect(decision).toMatchObject({ kind: "rewarded", availableAt: new Date(order.availableAt) });
    expect(decision.kind === "rewarded" && decision.referral).toMatchObject({
      status: "qualified",
      orderId: "o-1",
      orderAmount: 8000,
      rewardAvailableAt: order.availableAt,
      referrerLotId: "lot_x",
      rewardedAt: NOW,
    });
  });

  it("is rejected, flagged, once the referrer reached the cap", () => {
    const decision = qualify(pending, order, 2, settings, "lot_x", now);
    expect(decision.kind === "rejected" && decision.referral).toMatchObject({ status: "rejected", fraudFlags: ["referrer_cap_reached"] });
  });

  it("completes at once when granted on enrollment", () => {
    const onEnroll = { ...settings, grantOn: { type: "enrollment" as const } };
    const r = newReferral("ref_3", "ada", "bob", "CODE", [], onEnroll, now);
    const decision = qualify(r, null, 0, onEnroll, null, now);
    expect(decision.kind === "rewarded" && decision.referral.status).toBe("completed");
  });

  describe("once qualified", () => {
    const decision = qualify(pending, order, 0, settings, "lot_x", now);
    const qualified = decision.kind === "rewarded" ? decision.referral : pending;

    it("waits while the window runs and no refund took it below the amount", () => {
      expect(settle(qualified, 3000, now)).toEqual({ kind: "wait" });
    });
    it("is cancelled by refunds within the window that leave the order below the amount", () => {
      expect(settle(qualified, 3001, now)).toMatchObject({ kind: "cancelled", referral: { status: "cancelled" } });
    });
    it("is cancelled by a full refund even without a minimum amount", () => {
      expect(settle({ ...qualified, minOrderAmount: 0 }, 8000, now)).toMatchObject({ kind: "cancelled" });
    });
    it("completes once the window is over", () => {
      expect(settle(qualified, 0, new Date(order.availableAt))).toMatchObject({ kind: "completed", referral: { status: "completed" } });
    });
    it("is settled only once", () => {
      expect(settle({ ...qualified, status: "completed" }, 8000, now)).toEqual({ kind: "wait" });
    });
  });
});

describe("referral rewards", () => {
  it("are points from the settings, or a catalog reward instead of points for the side that names one", () => {
    const byPoints = newReferral("ref_1", "ada", "bob", "CODE", [], settings, now);
    expect(rewardOf(byPoints, "referrer")).toEqual({ kind: "points", points: 1000 });
    expect(rewardOf(byPoints, "referee")).toEqual({ kind: "points", points: 500 });
    const byCatalog = newReferral("ref_2", "ada", "bob", "CODE", [], { ...settings, refereePoints: 0, refereeRewardId: "rwd_1" }, now);
    expect(rewardOf(byCatalog, "referee")).toEqual({ kind: "catalog_reward", rewardId: "rwd_1" });
    expect(byCatalog).toMatchObject({ refereePoints: 0, referrerPoints: 1000, refereeRewardId: "rwd_1", referrerRewardId: null, unfulfilled: [] });
    // The claim is the gift's (gifts.ts): the side's own plan credits no points and opens no lot.
    const state = { member: member(), lots: [], holds: [] };
    const plan = creditReferral(state, "ada", { referralId: "ref_2", role: "referee", reward: rewardOf(byCatalog, "referee"), availableAt: now }, context());
    expect(plan.result).toMatchObject({ points: 0, lotId: null });
    expect(plan.newLots).toEqual([]);
    expect(plan.entries).toEqual([]);
  });

  it("credit a lot of their own, keyed by the referral, pending until availableAt, paying debt first", () => {
    const state = { member: member({ debt: 300, lifetimeEarned: 10 }), lots: [], holds: [] };
    const plan = creditReferral(
      state,
      "ada",
      { referralId: "ref_1", role: "referrer", reward: { kind: "points", points: 1000 }, availableAt: new Date(order.availableAt) },
      context(),
    );
    expect(plan.newLots).toEqual([
      expect.objectContaining({ id: referralLotId("ref_1", "referrer"), points: 1000, remaining: 700, availableAt: order.availableAt, orderId: null, partnerId: null }),
    ]);
    expect(plan.entries[0]).toMatchObject({ type: "earn", points: 1000, orderId: null, details: { debtPaid: 300, referral: { referralId: "ref_1", role: "referrer" } } });
    expect(plan.member).toMatchObject({ debt: 0, lifetimeEarned: 1010, qualifyingPoints: 1000, version: 4 });
  });

  it("upgrade the tier the points reach, as an earning does", () => {
    const ctx = context({ settings: { tiers: [{ name: "gold", threshold: 500, multiplierPercent: 150 }] } });
    const plan = creditReferral({ member: member(), lots: [], holds: [] }, "ada", { referralId: "r", role: "referee", reward: { kind: "points", points: 500 }, availableAt: now }, ctx);
    expect(plan.member.tier).toBe("gold");
    expect(plan.events.map((e) => e.type)).toEqual(["tier.changed"]);
  });

  it("of zero points write no lot", () => {
    const plan = creditReferral({ member: member(), lots: [], holds: [] }, "ada", { referralId: "r", role: "referee", reward: { kind: "points", points: 0 }, availableAt: now }, context());
    expect(plan.newLots).toEqual([]);
    expect(plan.entries).toEqual([]);
  });

  it("are clawed back from the lot, and what was spent becomes debt", () => {
    const lotId = referralLotId("ref_1", "referrer");
    const state = { member: member({ qualifyingPoints: 1000 }), lots: [{ id: lotId, partnerId: null, orderId: null, points: 1000, remaining: 400, earnedAt: NOW, availableAt: NOW, expiresAt: null }], holds: [] };
    const plan = clawBackReferral(state, "ada", "ref_1", { id: lotId, points: 1000, remaining: 400, expired: 0 }, context());
    expect(plan.result).toEqual({ referralId: "ref_1", pointsClawedBack: 1000, fromLot: 400, addedToDebt: 600 });
    expect(plan.lotDeltas).toEqual([{ lotId, delta: -400, expired: -0 }]);
    expect(plan.entries[0]).toMatchObject({ type: "clawback", points: -1000, lotId, details: { fromLot: 400, addedToDebt: 600, fromExpired: 0 } });
    expect(plan.member).toMatchObject({ debt: 600, qualifyingPoints: 0 });
    expect(plan.nextState.lots).toEqual([]);
  });
});

describe("the referrer's plans for a decision", () => {
  const pending = newReferral("ref_9", "ada", "bob", "CODE", [], settings, now);
  const state = () => ({ member: member(), lots: [], holds: [] });

  it("send referral.rejected and credit nothing for a referral past the cap", () => {
    const decision = qualify(pending, order, 2, settings, "lot_x", now);
    if (decision.kind === "wait") throw new Error("decided");
    const plan = qualificationPlan(state(), "ada", decision, context());
    expect(plan.newLots).toEqual([]);
    expect(plan.events.map((e) => [e.type, e.payload])).toEqual([["referral.rejected", expect.objectContaining({ referralId: "ref_9", fraudFlags: ["referrer_cap_reached"] })]]);
  });

  it("credit the referrer's points, and send referral.completed only once the window is over", () => {
    const decision = qualify(pending, order, 0, settings, referralLotId("ref_9", "referrer"), now);
    if (decision.kind === "wait") throw new Error("decided");
    const credited = qualificationPlan(state(), "ada", decision, context());
    expect(credited.newLots.map((l) => [l.id, l.points, l.availableAt])).toEqual([[referralLotId("ref_9", "referrer"), 1000, order.availableAt]]);
    expect(credited.events).toEqual([]);
    const done = settle(decision.referral, 0, new Date(order.availableAt));
    if (done.kind === "wait") throw new Error("decided");
    const completed = settlementPlan(credited.nextState, "ada", done, null, context());
    expect(completed.events.map((e) => [e.type, e.payload])).toEqual([
      ["referral.completed", expect.objectContaining({ referralId: "ref_9", referrerId: "ada", refereeId: "bob", referrerPoints: 1000, refereePoints: 500 })],
    ]);
    expect(completed.entries).toEqual([]);
  });

  it("claw the points back for a cancelled referral", () => {
    const decision = qualify(pending, order, 0, settings, referralLotId("ref_9", "referrer"), now);
    if (decision.kind === "wait") throw new Error("decided");
    const cancelled = settle(decision.referral, 8000, now);
    if (cancelled.kind === "wait") throw new Error("decided");
    const plan = settlementPlan(state(), "ada", cancelled, { id: referralLotId("ref_9", "referrer"), points: 1000, remaining: 1000, expired: 0 }, context());
    expect(plan.entries.map((e) => [e.type, e.points])).toEqual([["clawback", -1000]]);
    expect(plan.events).toEqual([]);
  });
});
