// The reward rules as plain functions: what a definition must say, and why a member may not claim.
import { describe, expect, it } from "vitest";
import { limitPeriodStart, opensAtFor, whyUnavailable, type MemberFacts } from "../../src/rewards/availability";
import { checkDefinition } from "../../src/rewards/check";
import type { RewardDefinition, RewardRecord } from "../../src/rewards/types";

const base: RewardDefinition = {
  name: "5 off",
  description: null,
  type: "fixed_discount",
  costPoints: 500,
  value: { amount: 500, currency: "EUR" },
  percent: null,
  maxDiscount: null,
  sku: null,
  causeId: null,
  attributes: {},
  stock: null,
  codeSource: "generated",
  tiers: [],
  memberAttributes: {},
  limit: null,
  validFrom: null,
  validUntil: null,
  couponValidDays: 30,
  onExpiry: "keep_points",
  planIds: [],
  earlyAccess: [],
};
const program = { currency: "EUR", tierNames: ["silver", "gold"], causeExists: (id: string) => id === "cause_ok" };
const member: MemberFacts = { tier: null, attributes: {}, availablePoints: 1000, activePlans: [], claimsInPeriod: 0, stockLeft: null };
const NOW = new Date("2026-12-02T12:00:00Z");
const reward = (d: Partial<RewardDefinition>, status: RewardRecord["status"] = "active") => ({ status, definition: { ...base, ...d } });

describe("checkDefinition", () => {
  it.each([
    ["a fixed discount without value", { value: null }, "value"],
    ["a percent discount without percent", { type: "percent_discount", value: null }, "percent"],
    ["a free product without sku", { type: "free_product", value: null }, "sku"],
    ["a donation without cause", { type: "donation" }, "causeId"],
    ["a donation to an unknown cause", { type: "donation", causeId: "cause_gone" }, "causeId"],
    ["a donation from a pool", { type: "donation", causeId: "cause_ok", codeSource: "pool" }, "codeSource"],
    ["a value in another currency", { value: { amount: 500, currency: "USD" } }, "value.currency"],
    ["a tier the program lacks", { tiers: ["platinum"] }, "tiers.0"],
    ["a window that ends before it starts", { validFrom: "2026-12-10T00:00:00.000Z", validUntil: "2026-12-01T00:00:00.000Z" }, "validUntil"],
    ["early access without validFrom", { earlyAccess: [{ planId: "prime", opensAt: "2026-12-01T00:00:00.000Z" }] }, "earlyAccess.0.opensAt"],
    ["early access naming both plan and tier", { validFrom: "2026-12-10T00:00:00.000Z", earlyAccess: [{ planId: "prime", tier: "gold", opensAt: "2026-12-01T00:00:00.000Z" }] }, "earlyAccess.0"],
    ["a sku on a percent discount", { type: "percent_discount", value: null, percent: 10, sku: "X" }, "sku"],
  ] as const)("refuses %s", (_, change, path) => {
    const errors = checkDefinition({ ...base, ...(change as Partial<RewardDefinition>) }, program);
    expect(errors.map((e) => e.path)).toContain(path);
  });

  it("accepts each type with what it needs", () => {
    expect(checkDefinition(base, program)).toEqual([]);
    expect(checkDefinition({ ...base, type: "percent_discount", value: null, percent: 10, maxDiscount: { amount: 2000, currency: "EUR" } }, program)).toEqual([]);
    expect(checkDefinition({ ...base, type: "free_shipping", value: null }, program)).toEqual([]);
    expect(checkDefinition({ ...base, type: "free_product", value: null, sku: "TOTE" }, program)).toEqual([]);
    expect(checkDefinition({ ...base, type: "donation", causeId: "cause_ok" }, program)).toEqual([]);
    expect(checkDefinition({ ...base, type: "custom", value: null, attributes: { kind: "workshop" } }, program)).toEqual([]);
  });
});

describe("whyUnavailable", () => {
  it("says nothing for a reward the member may claim", () => {
    expect(whyUnavailable(reward({}), member, NOW)).toEqual([]);
  });

  it.each([
    ["archived", reward({}, "archived"), member],
    ["not_yet_open", reward({ validFrom: "2026-12-10T00:00:00.000Z" }), member],
    ["ended", reward({ validUntil: "2026-12-01T00:00:00.000Z" }), member],
    ["plan_required", reward({ planIds: ["prime"] }), member],
    ["tier_required", reward({ tiers: ["gold"] }), { ...member, tier: "silver" }],
    ["member_attributes", reward({ memberAttributes: { country: "DE" } }), { ...member, attributes: { country: "FR" } }],
    ["limit_reached", reward({ limit: { count: 1, per: "month" } }), { ...member, claimsInPeriod: 1 }],
    ["out_of_stock", reward({ stock: 5 }), { ...member, stockLeft: 0 }],
    ["insufficient_points", reward({}), { ...member, availablePoints: 499 }],
  ] as const)("names %s", (reason, r, m) => {
    expect(whyUnavailable(r, m, NOW).map((u) => u.reason)).toEqual([reason]);
  });

  it("names every reason at once, points last", () => {
    const reasons = whyUnavailable(reward({ tiers: ["gold"], validUntil: "2026-12-01T00:00:00.000Z" }), { ...member, availablePoints: 0 }, NOW);
    expect(reasons.map((r) => r.reason)).toEqual(["ended", "tier_required", "insufficient_points"]);
  });

  it("opens early for a plan or tier with early access, and only for them", () => {
    const early = reward({
      validFrom: "2026-12-10T00:00:00.000Z",
      earlyAccess: [
        { planId: "prime", opensAt: "2026-12-01T00:00:00.000Z" },
        { tier: "gold", opensAt: "2026-12-05T00:00:00.000Z" },
      ],
    });
    expect(whyUnavailable(early, { ...member, activePlans: ["prime"] }, NOW)).toEqual([]);
    expect(whyUnavailable(early, { ...member, tier: "gold" }, NOW).map((r) => r.reason)).toEqual(["not_yet_open"]);
    expect(opensAtFor(early.definition, { tier: "gold", activePlans: [] })).toBe("2026-12-05T00:00:00.000Z");
    expect(whyUnavailable(early, member, NOW).map((r) => r.reason)).toEqual(["not_yet_open"]);
  });

  it("counts limits per calendar period in UTC (weeks from Monday)", () => {
    const wednesday = new Date("2026-12-02T12:00:00Z");
    expect(limitPeriodStart("day", wednesday)?.toISOString()).toBe("2026-12-02T00:00:00.000Z");
    expect(limitPeriodStart("week", wednesday)?.toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(limitPeriodStart("month", wednesday)?.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(limitPeriodStart("year", wednesday)?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(limitPeriodStart("lifetime", wednesday)).toBeNull();
  });
});
