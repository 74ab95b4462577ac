// reviewTier and grantTier as plans: the member's tier fields, the tier entry and event, and the refusals.
import { describe, expect, it } from "vitest";
import { grantTier, reviewTier } from "../../src/ledger/tier-review";
import { context, expectRefusal, member, NOW, state } from "./build";

const tiers = [
  { name: "silver", threshold: 100 },
  { name: "gold", threshold: 1000 },
];

describe("reviewTier", () => {
  it.each([
    {
      what: "upgrades to what the window's points deserve",
      before: { tier: null, qualifyingPoints: 0 },
      window: 150,
      after: { tier: "silver", qualifyingPoints: 150, tierDowngradeAt: null },
      change: { from: null, to: "silver", reason: "upgrade" },
    },
    {
      what: "starts the grace at the first shortfall, without a change yet",
      before: { tier: "gold", qualifyingPoints: 1200 },
      window: 50,
      after: { tier: "gold", qualifyingPoints: 50, tierDowngradeAt: "2026-04-09T12:00:00.000Z" },
      change: null,
    },
    {
      what: "downgrades to the deserved tier when the grace is over",
      before: { tier: "gold", qualifyingPoints: 50, tierDowngradeAt: NOW },
      window: 150,
      after: { tier: "silver", qualifyingPoints: 150, tierDowngradeAt: null },
      change: { from: "gold", to: "silver", reason: "downgrade" },
    },
    {
      what: "cancels a pending downgrade when the points are back",
      before: { tier: "gold", qualifyingPoints: 50, tierDowngradeAt: "2026-04-01T00:00:00.000Z" },
      window: 1000,
      after: { tier: "gold", qualifyingPoints: 1000, tierDowngradeAt: null },
      change: null,
    },
    {
      what: "only updates the qualifying total when the tier stays",
      before: { tier: "silver", qualifyingPoints: 150 },
      window: 160,
      after: { tier: "silver", qualifyingPoints: 160, tierDowngradeAt: null },
      change: null,
    },
  ])("$what", ({ before, window, after, change }) => {
    const settings = { tiers, tierQualification: { window: { type: "rolling" as const, days: 365 }, grace: { policy: "days" as const, days: 30 } } };
    const plan = reviewTier(state({ member: member(before) }), window, context({ settings }))!;
    expect(plan.member).toMatchObject({ ...after, version: 4, updatedAt: NOW });
    expect(plan.result).toEqual({ change, qualifyingPoints: after.qualifyingPoints, tierDowngradeAt: after.tierDowngradeAt });
    if (change) {
      expect(plan.entries).toEqual([expect.objectContaining({ id: "ent_1", type: "tier", points: 0, heldPoints: 0, details: change })]);
      expect(plan.events).toEqual([{ id: "evt_1", type: "tier.changed", partnerId: null, payload: { memberId: "ada", ...change, occurredAt: NOW, recordedAt: NOW } }]);
    } else {
      expect(plan.entries).toEqual([]);
      expect(plan.events).toEqual([]);
    }
    expect(plan.lotDeltas).toEqual([]);
  });

  it.each([
    ["the tier and the total are as they should be", member({ tier: "silver", qualifyingPoints: 150 }), 150],
    ["the member does not exist", null, 150],
  ])("writes nothing when %s", (_, m, window) => {
    expect(reviewTier(state({ member: m }), window, context({ settings: { tiers } }))).toBeNull();
  });
});

describe("grantTier", () => {
  const settings = { tiers };

  it("grants a tier until a date, with a tier entry and event carrying the date and the note", () => {
    const plan = grantTier(state({ member: member({ tier: "silver", tierDowngradeAt: "2026-04-01T00:00:00.000Z" }) }), "ada", { tier: "gold", until: "2026-12-31T00:00:00Z", reason: "paid" }, context({ settings }));
    expect(plan.member).toMatchObject({ tier: "gold", tierLockedUntil: "2026-12-31T00:00:00.000Z", tierDowngradeAt: null, version: 4 });
    const details = { from: "silver", to: "gold", reason: "grant", until: "2026-12-31T00:00:00.000Z", note: "paid" };
    expect(plan.entries).toEqual([expect.objectContaining({ type: "tier", points: 0, details })]);
    expect(plan.events).toEqual([{ id: "evt_1", type: "tier.changed", partnerId: null, payload: { memberId: "ada", ...details, occurredAt: NOW, recordedAt: NOW } }]);
    expect(plan.result).toEqual({ change: { from: "silver", to: "gold", reason: "grant" }, tierLockedUntil: "2026-12-31T00:00:00.000Z" });
  });

  it("writes the entry but no event when the grant keeps the tier (an extension)", () => {
    const plan = grantTier(state({ member: member({ tier: "gold" }) }), "ada", { tier: "gold", until: "2027-06-30T00:00:00Z" }, context({ settings }));
    expect(plan.entries.map((e) => e.details)).toEqual([{ from: "gold", to: "gold", reason: "grant", until: "2027-06-30T00:00:00.000Z", note: null }]);
    expect(plan.events).toEqual([]);
    expect(plan.result.change).toBeNull();
  });

  it.each([
    ["a tier the program does not have", { tier: "platinum" }, "unknown_tier", { tiers: ["silver", "gold"] }],
    ["an end that is not in the future", { tier: "gold", until: NOW }, "validation_failed", { errors: [{ path: "until", message: "in the past" }] }],
  ] as const)("refuses %s", (_, input, code, data) => {
    expectRefusal(() => grantTier(state(), "ada", input, context({ settings })), code, data);
  });

  it("refuses a member that does not exist", () => {
    expectRefusal(() => grantTier(state({ member: null }), "ada", { tier: "gold" }, context({ settings })), "member_not_found");
  });
});
