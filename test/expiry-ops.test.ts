// The pure expiry, warning and tier-review functions, without storage or HTTP (dates in UTC).
import { describe, expect, it } from "vitest";
import { lotExpiresAt } from "../src/ledger/expiry";
import { expireDue, expiringSoon, warnExpiring } from "../src/ledger/expiry-ops";
import { newMember, type OpContext } from "../src/ledger/plan";
import { defaultSettings, type ProgramSettings } from "../src/ledger/settings";
import type { MemberRecord, MemberState, OpenLot } from "../src/ledger/state";
import { decideTier, grantTier, graceEnd } from "../src/ledger/tier-review";

function ctxAt(at: string, settings: ProgramSettings): OpContext {
  let n = 0;
  return { settings, now: new Date(at), newId: (prefix) => `${prefix}_${++n}`, partnerId: null };
}

function lot(id: string, remaining: number, expiresAt: string | null, extra: Partial<OpenLot> = {}): OpenLot {
  return { id, partnerId: null, orderId: null, points: remaining, remaining, earnedAt: "2025-01-01T00:00:00.000Z", availableAt: "2025-01-01T00:00:00.000Z", expiresAt, ...extra };
}

function state(lots: OpenLot[], member: Partial<MemberRecord> = {}): MemberState {
  return { member: { ...newMember("ada", {}, new Date("2025-01-01T00:00:00Z")), ...member }, lots, holds: [] };
}

describe("lotExpiresAt", () => {
  it.each([
    [{ policy: "rolling", days: 365 }, "2024-02-29T12:00:00Z", "2025-02-28T12:00:00.000Z"],
    [{ policy: "rolling", days: 366 }, "2023-03-01T00:00:00Z", "2024-03-01T00:00:00.000Z"],
    [{ policy: "period_end", period: "month", plusPeriods: 0 }, "2025-01-31T23:59:59.999Z", "2025-02-01T00:00:00.000Z"],
    [{ policy: "period_end", period: "month", plusPeriods: 11 }, "2024-02-29T00:00:00Z", "2025-02-01T00:00:00.000Z"],
    [{ policy: "period_end", period: "quarter", plusPeriods: 1 }, "2024-11-30T00:00:00Z", "2025-04-01T00:00:00.000Z"],
    [{ policy: "period_end", period: "year", plusPeriods: 1 }, "2024-01-01T00:00:00Z", "2026-01-01T00:00:00.000Z"],
  ] as const)("%o from %s is %s", (policy, earnedAt, expected) => {
    expect(lotExpiresAt(policy, new Date(earnedAt))!.toISOString()).toBe(expected);
  });
});

describe("expireDue", () => {
  const settings = defaultSettings({ expiry: { policy: "rolling", days: 30 } });

  it("expires what is due at its instant, one entry per lot, and nothing else", () => {
    const s = state([lot("a", 10, "2025-03-01T00:00:00.000Z", { partnerId: "ptr_1" }), lot("b", 5, "2025-03-02T00:00:00.000Z"), lot("c", 7, null)]);
    expect(expireDue(s, ctxAt("2025-02-28T23:59:59.999Z", settings))).toBeNull();
    const plan = expireDue(s, ctxAt("2025-03-01T00:00:00.000Z", settings))!;
    expect(plan.result).toEqual({ lots: 1, points: 10, more: false });
    expect(plan.lotDeltas).toEqual([{ lotId: "a", delta: -10, expired: 10 }]);
    expect(plan.entries).toEqual([expect.objectContaining({ type: "expire", points: -10, lotId: "a", partnerId: "ptr_1", occurredAt: "2025-03-01T00:00:00.000Z" })]);
    expect(plan.member.version).toBe(s.member!.version + 1);
    expect(plan.nextState.lots.map((l) => l.id)).toEqual(["b", "c"]);
    expect(expireDue(plan.nextState, ctxAt("2025-03-01T00:00:00.000Z", settings))).toBeNull();
  });

  it("splits a long list into batches and says more are due", () => {
    const s = state(Array.from({ length: 5 }, (_, i) => lot(`l${i}`, 1, "2025-03-01T00:00:00.000Z")));
    const first = expireDue(s, ctxAt("2025-04-01T00:00:00Z", settings), 2)!;
    expect(first.result).toEqual({ lots: 2, points: 2, more: true });
    const second = expireDue(first.nextState, ctxAt("2025-04-01T00:00:00Z", settings), 2)!;
    const third = expireDue(second.nextState, ctxAt("2025-04-01T00:00:00Z", settings), 2)!;
    expect(third.result).toEqual({ lots: 1, points: 1, more: false });
  });

  it("under the inactivity policy expires every lot once the member is idle long enough", () => {
    const idle = defaultSettings({ expiry: { policy: "inactivity", days: 10 } });
    const s = state([lot("a", 10, null), lot("b", 5, null)], { lastActivityAt: "2025-02-01T00:00:00.000Z" });
    expect(expireDue(s, ctxAt("2025-02-10T23:59:59.999Z", idle))).toBeNull();
    const plan = expireDue(s, ctxAt("2025-02-11T00:00:00.000Z", idle))!;
    expect(plan.entries.map((e) => [e.lotId, e.points, e.type === "expire" && e.details.reason])).toEqual([
      ["a", -10, "inactivity"],
      ["b", -5, "inactivity"],
    ]);
  });

  it("does nothing for a member that does not exist", () => {
    expect(expireDue({ member: null, lots: [], holds: [] }, ctxAt("2030-01-01T00:00:00Z", settings))).toBeNull();
  });
});

describe("expiry warnings", () => {
  const settings = defaultSettings({ expiry: { policy: "rolling", days: 30 }, expiryWarning: { daysBefore: 7 } });
  const s = state([lot("a", 10, "2025-03-08T00:00:00.000Z"), lot("b", 5, "2025-03-08T00:00:00.000Z"), lot("c", 3, "2025-03-09T00:00:00.000Z")]);

  it("groups the points by expiry date within the lead time", () => {
    expect(expiringSoon(s, settings, new Date("2025-03-01T00:00:00Z"))).toEqual([{ expiresAt: "2025-03-08T00:00:00.000Z", points: 15 }]);
    expect(expiringSoon(s, settings, new Date("2025-03-02T00:00:00Z"))).toEqual([
      { expiresAt: "2025-03-08T00:00:00.000Z", points: 15 },
      { expiresAt: "2025-03-09T00:00:00.000Z", points: 3 },
    ]);
  });

  it("warns only of dates not warned before, and records them", () => {
    const plan = warnExpiring(s, new Set(["2025-03-08T00:00:00.000Z"]), ctxAt("2025-03-02T00:00:00Z", settings))!;
    expect(plan.expiryWarnings).toEqual([{ expiresAt: "2025-03-09T00:00:00.000Z", points: 3 }]);
    expect(plan.events.map((e) => e.type)).toEqual(["points.expiring"]);
    const all = new Set(["2025-03-08T00:00:00.000Z", "2025-03-09T00:00:00.000Z"]);
    expect(warnExpiring(s, all, ctxAt("2025-03-02T00:00:00Z", settings))).toBeNull();
  });

  it("sends nothing when the program has no warning lead time", () => {
    expect(warnExpiring(s, new Set(), ctxAt("2025-03-02T00:00:00Z", defaultSettings({ expiry: { policy: "rolling", days: 30 } })))).toBeNull();
  });
});

describe("decideTier", () => {
  const tiers = [
    { name: "silver", threshold: 100 },
    { name: "gold", threshold: 1000 },
  ];
  const member = { tier: "gold", qualifyingPoints: 1500, tierDowngradeAt: null, tierLockedUntil: null };
  const at = new Date("2026-03-01T00:00:00Z");

  it("keeps a deserved tier and upgrades at once", () => {
    const settings = defaultSettings({ tiers });
    expect(decideTier(member, 1200, settings, at).change).toBeNull();
    expect(decideTier({ ...member, tier: "silver" }, 1200, settings, at)).toMatchObject({ tier: "gold", change: { from: "silver", to: "gold", reason: "upgrade" } });
  });

  it("starts the grace at the first shortfall and downgrades at its end", () => {
    const settings = defaultSettings({ tiers, tierQualification: { grace: { policy: "period_end", period: "quarter", plusPeriods: 1 } } });
    const pending = decideTier(member, 50, settings, at);
    expect(pending).toMatchObject({ tier: "gold", tierDowngradeAt: "2026-07-01T00:00:00.000Z", qualifyingPoints: 50, change: null });
    expect(decideTier(pending, 50, settings, new Date("2026-06-30T23:59:59Z")).change).toBeNull();
    expect(decideTier(pending, 50, settings, new Date("2026-07-01T00:00:00Z"))).toMatchObject({ tier: null, tierDowngradeAt: null, change: { reason: "downgrade" } });
  });

  it("goes one step down with a fresh grace when the program says one_step", () => {
    const settings = defaultSettings({ tiers, tierQualification: { grace: { policy: "days", days: 7 }, downgrade: "one_step" } });
    const due = { ...member, tierDowngradeAt: "2026-03-01T00:00:00.000Z" };
    expect(decideTier(due, 0, settings, at)).toMatchObject({ tier: "silver", tierDowngradeAt: "2026-03-08T00:00:00.000Z" });
    expect(decideTier(due, 150, settings, at)).toMatchObject({ tier: "silver", tierDowngradeAt: null });
  });

  it("holds a granted tier until its date, then gives the deserved one", () => {
    const settings = defaultSettings({ tiers });
    const granted = { ...member, tierLockedUntil: "2026-03-01T00:00:00.000Z" };
    expect(decideTier(granted, 0, settings, new Date("2026-02-28T23:59:59Z")).change).toBeNull();
    expect(decideTier(granted, 150, settings, at)).toMatchObject({ tier: "silver", tierLockedUntil: null, change: { reason: "grant_ended" } });
  });

  it("moves a member off a tier the program no longer has", () => {
    expect(decideTier({ ...member, tier: "bronze" }, 150, defaultSettings({ tiers }), at).change).toEqual({ from: "bronze", to: "silver", reason: "tier_removed" });
  });

  it("computes grace ends in UTC", () => {
    const q = (grace: object) => defaultSettings({ tierQualification: { grace } as never }).tierQualification;
    expect(graceEnd(q({ policy: "none" }), at).toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(graceEnd(q({ policy: "days", days: 365 }), new Date("2027-03-01T00:00:00Z")).toISOString()).toBe("2028-02-29T00:00:00.000Z");
    expect(graceEnd(q({ policy: "period_end", period: "year", plusPeriods: 1 }), at).toISOString()).toBe("2028-01-01T00:00:00.000Z");
  });
});

describe("grantTier", () => {
  const settings = defaultSettings({ tiers: [{ name: "gold", threshold: 1000 }] });
  const ctx = ctxAt("2026-03-01T00:00:00Z", settings);

  it("sets the tier and its end, with an entry and an event", () => {
    const plan = grantTier(state([]), "ada", { tier: "gold", until: "2026-12-31T00:00:00Z" }, ctx);
    expect(plan.member).toMatchObject({ tier: "gold", tierLockedUntil: "2026-12-31T00:00:00.000Z", tierDowngradeAt: null });
    expect(plan.entries.map((e) => e.type)).toEqual(["tier"]);
    expect(plan.events.map((e) => e.type)).toEqual(["tier.changed"]);
  });

  it("refuses a tier the program does not have and an end in the past", () => {
    expect(() => grantTier(state([]), "ada", { tier: "platinum" }, ctx)).toThrow(/no tier 'platinum'/);
    expect(() => grantTier(state([]), "ada", { tier: "gold", until: "2026-03-01T00:00:00Z" }, ctx)).toThrow(/future/);
  });
});
