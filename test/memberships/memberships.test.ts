// Memberships as pure functions: start, renew, cancel, lapse, and the benefits of a tier and memberships together.
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../../src/ledger/settings";
import { benefitsOf, membershipEarningPercent, type HeldMembership } from "../../src/memberships/benefits";
import { cancelMembership, inForce, lapseDue, renewMembership, startMembership, type MembershipPlan } from "../../src/memberships/memberships";
import { expectRefusal } from "../ledger/build";

const now = new Date("2026-12-02T12:00:00.000Z");
const later = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();

function plan(fields: Omit<Partial<MembershipPlan>, "benefits"> & { benefits?: Partial<MembershipPlan["benefits"]> } = {}): MembershipPlan {
  const { benefits, ...rest } = fields;
  return {
    id: "mpl_prime",
    name: "Prime",
    price: { amount: 4900, currency: "EUR" },
    term: "year",
    benefits: { earningMultiplierPercent: 200, freeShipping: true, earlyAccessDays: 2, exclusiveRewards: true, ...benefits },
    renews: true,
    archivedAt: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    ...rest,
  };
}

const started = startMembership([], plan(), "ada", { paidUntil: later(30), externalRef: "sub_1" }, "mbr_1", now);

describe("a membership", () => {
  it("starts active until what was paid", () => {
    expect(started).toMatchObject({ id: "mbr_1", memberId: "ada", planId: "mpl_prime", status: "active", paidUntil: later(30), externalRef: "sub_1", cancelAtTermEnd: false, endedAt: null });
    expect(inForce(started, now)).toBe(true);
    expect(inForce(started, new Date(later(30)))).toBe(false);
  });

  it("does not start of an archived plan, twice of one plan in force, or already paid out", () => {
    expectRefusal(() => startMembership([], plan({ archivedAt: now.toISOString() }), "ada", { paidUntil: later(30), externalRef: null }, "m", now), "membership_plan_archived");
    expectRefusal(() => startMembership([started], plan(), "ada", { paidUntil: later(60), externalRef: null }, "m", now), "membership_exists", { membershipId: "mbr_1" });
    expectRefusal(() => startMembership([], plan(), "ada", { paidUntil: now.toISOString(), externalRef: null }, "m", now), "paid_until_not_later", { errors: [expect.objectContaining({ path: "paidUntil" })] });
  });

  it("starts again once the earlier one lapsed", () => {
    const [lapsed] = lapseDue([started], new Date(later(31)));
    expect(startMembership([lapsed!.membership], plan(), "ada", { paidUntil: later(90), externalRef: null }, "mbr_2", new Date(later(31))).status).toBe("active");
  });

  it("renews to a later paidUntil and withdraws a cancellation for the term's end", () => {
    const cancelling = cancelMembership(started, "term_end", now);
    expect(cancelling).toMatchObject({ status: "active", cancelAtTermEnd: true });
    expect(renewMembership(cancelling, later(60), now)).toMatchObject({ status: "active", paidUntil: later(60), cancelAtTermEnd: false });
    expectRefusal(() => renewMembership(started, later(30), now), "paid_until_not_later", { errors: [expect.objectContaining({ path: "paidUntil" })] });
  });

  it("cancels at once", () => {
    expect(cancelMembership(started, "now", now)).toMatchObject({ status: "cancelled", endedAt: now.toISOString() });
  });

  it("cannot be renewed or cancelled once it ended or ran out", () => {
    const cancelled = cancelMembership(started, "now", now);
    expectRefusal(() => renewMembership(cancelled, later(60), now), "membership_not_active", { status: "cancelled" });
    expectRefusal(() => cancelMembership(cancelled, "now", now), "membership_not_active", { status: "cancelled" });
    expectRefusal(() => renewMembership(started, later(90), new Date(later(31))), "membership_not_active", { status: "active" });
  });

  it("lapses past its paidUntil, as of that date, once", () => {
    expect(lapseDue([started], new Date(later(29)))).toEqual([]);
    const [lapse] = lapseDue([started], new Date(later(30)));
    expect(lapse).toEqual({ membership: expect.objectContaining({ status: "lapsed", endedAt: later(30) }), reason: "not_renewed" });
    expect(lapseDue([lapse!.membership], new Date(later(40)))).toEqual([]);
    const [cancelled] = lapseDue([cancelMembership(started, "term_end", now)], new Date(later(30)));
    expect(cancelled!.reason).toBe("cancelled");
  });
});

describe("benefits", () => {
  const settings = defaultSettings({ tiers: [{ name: "gold", threshold: 1000, multiplierPercent: 150 }] });
  const held = (p: MembershipPlan, paidUntil = later(30)): HeldMembership => ({
    plan: p,
    membership: startMembership([], p, "ada", { paidUntil, externalRef: null }, `mbr_${p.id}`, now),
  });

  it("are the tier's alone without memberships", () => {
    expect(benefitsOf("gold", [], settings, now)).toEqual({
      tier: { name: "gold", multiplierPercent: 150 },
      memberships: [],
      earningMultiplierPercent: 150,
      tierMultiplierPercent: 150,
      membershipMultiplierPercent: 100,
      freeShipping: false,
      earlyAccessDays: 0,
      exclusiveRewardPlanIds: [],
    });
  });

  it("multiply the tier's multiplier by the best membership's, and join the rest", () => {
    const prime = held(plan());
    const basic = held(plan({ id: "mpl_basic", name: "Basic", benefits: { earningMultiplierPercent: 125, freeShipping: false, earlyAccessDays: 5, exclusiveRewards: false } }));
    const benefits = benefitsOf("gold", [prime, basic], settings, now);
    expect(benefits).toMatchObject({
      earningMultiplierPercent: 300,
      tierMultiplierPercent: 150,
      membershipMultiplierPercent: 200,
      freeShipping: true,
      earlyAccessDays: 5,
      exclusiveRewardPlanIds: ["mpl_prime"],
    });
    expect(benefits.memberships.map((m) => m.planId)).toEqual(["mpl_prime", "mpl_basic"]);
  });

  it("floor a multiplier product that is not whole", () => {
    const odd = held(plan({ benefits: { earningMultiplierPercent: 133 } }));
    expect(benefitsOf("gold", [odd], settings, now).earningMultiplierPercent).toBe(199);
  });

  it("end with what was paid, whether or not the lapse job came by", () => {
    const prime = held(plan(), later(1));
    expect(benefitsOf(null, [prime], settings, new Date(later(1)))).toMatchObject({ memberships: [], freeShipping: false, earningMultiplierPercent: 100 });
    expect(membershipEarningPercent([prime], new Date(later(1)))).toBe(100);
    expect(membershipEarningPercent([prime], now)).toBe(200);
  });

  it("ignore a tier the program no longer has", () => {
    expect(benefitsOf("platinum", [], settings, now).tier).toBeNull();
  });
});
