// The pure ledger functions, called directly: arithmetic, allocation, tiers, dates, earning.
import { describe, expect, it } from "vitest";
import { seeded } from "./random";
import { allocate, isSpendable, spendingOrder } from "../src/ledger/allocation";
import { balanceOf, pointsValue } from "../src/ledger/balance";
import { endOfPeriod } from "../src/ledger/dates";
import { computeEarning } from "../src/ledger/earning";
import { idleDeadline, isIdle, lotExpiresAt } from "../src/ledger/expiry";
import { divideRounded, mulDiv } from "../src/ledger/money";
import { defaultSettings } from "../src/ledger/settings";
import type { OpenLot } from "../src/ledger/state";
import { nextTier, tierFor, upgradedTier } from "../src/ledger/tiers";

const now = new Date("2026-06-15T12:00:00Z");

function lot(id: string, remaining: number, expiresAt: string | null, extra: Partial<OpenLot> = {}): OpenLot {
  return {
    id,
    partnerId: null,
    orderId: null,
    points: remaining,
    remaining,
    earnedAt: "2026-01-01T00:00:00.000Z",
    availableAt: "2026-01-01T00:00:00.000Z",
    expiresAt,
    ...extra,
  };
}

describe("money", () => {
  it.each([
    [7n, 2n, "floor", 3],
    [7n, 2n, "round", 4],
    [7n, 2n, "ceil", 4],
    [5n, 2n, "round", 3],
    [-7n, 2n, "floor", -4],
    [-7n, 2n, "ceil", -3],
    [6n, 3n, "ceil", 2],
  ] as const)("divides %s by %s rounding %s to %s", (n, d, mode, expected) => {
    expect(divideRounded(n, d, mode)).toBe(expected);
  });

  it("stays exact beyond 2^53 in the intermediate product", () => {
    expect(mulDiv(9_000_000_000_000_000, 1000, 1000, "floor")).toBe(9_000_000_000_000_000);
    expect(() => mulDiv(Number.MAX_SAFE_INTEGER, 10, 1, "floor")).toThrow(RangeError);
  });
});

describe("earning", () => {
  it("earns floor(amount x rate) and rounds once on the multiplied total", () => {
    const settings = defaultSettings({ tiers: [{ name: "gold", threshold: 0, multiplierPercent: 150 }] });
    expect(computeEarning(4999, settings, null)).toEqual({ points: 49, breakdown: [{ rule: "base", points: 49 }] });
    const gold = computeEarning(4999, settings, "gold");
    expect(gold.points).toBe(74); // floor(49.99 * 1.5) = 74, not 49 + floor(24.5) = 73
    expect(gold.breakdown.reduce((s, l) => s + l.points, 0)).toBe(gold.points);
  });

  it("honours the program's rounding", () => {
    expect(computeEarning(150, defaultSettings({ rounding: "round" }), null).points).toBe(2);
    expect(computeEarning(101, defaultSettings({ rounding: "ceil" }), null).points).toBe(2);
    expect(computeEarning(199, defaultSettings({ rounding: "floor" }), null).points).toBe(1);
  });
});

describe("allocation", () => {
  it("takes from the lots that expire first, never-expiring lots last", () => {
    const lots = [lot("never", 50, null), lot("late", 50, "2027-01-01T00:00:00.000Z"), lot("soon", 30, "2026-07-01T00:00:00.000Z")];
    expect(allocate(lots, 100, now)).toEqual([
      { lotId: "soon", points: 30 },
      { lotId: "late", points: 50 },
      { lotId: "never", points: 20 },
    ]);
  });

  it("skips pending and expired lots and refuses rather than allocate partially", () => {
    const lots = [
      lot("expired", 50, "2026-06-01T00:00:00.000Z"),
      lot("pending", 50, null, { availableAt: "2026-07-01T00:00:00.000Z" }),
      lot("ok", 10, null),
    ];
    expect(allocate(lots, 10, now)).toEqual([{ lotId: "ok", points: 10 }]);
    expect(allocate(lots, 11, now)).toBeNull();
  });

  // allocate takes a debit that fits in the first lot without sorting the rest: it must answer as taking in sorted order does.
  it("takes as walking every spendable lot in spending order would, for random lots and debits", () => {
    const random = seeded(0x9e3779b9);
    const day = (d: number) => new Date(Date.UTC(2026, 5, 1 + d)).toISOString();
    let fitInFirstOfMany = 0;
    for (let round = 0; round < 500; round++) {
      const lots = Array.from({ length: random(12) }, (_, i) =>
        lot(`lot-${random(5)}-${i}`, random(4) === 0 ? 0 : 1 + random(40), random(3) === 0 ? null : day(random(60) - 20), {
          earnedAt: day(-random(10)),
          availableAt: day(random(4) === 0 ? 1 + random(5) : -1),
        }),
      );
      const points = random(60);
      const walked: { lotId: string; points: number }[] = [];
      let missing = points;
      for (const open of lots.filter((l) => isSpendable(l, now)).sort(spendingOrder)) {
        if (missing === 0) break;
        const take = Math.min(open.remaining, missing);
        walked.push({ lotId: open.id, points: take });
        missing -= take;
      }
      expect([round, allocate(lots, points, now)]).toEqual([round, missing === 0 ? walked : null]);
      if (walked.length === 1 && lots.filter((l) => isSpendable(l, now)).length > 1) fitInFirstOfMany++;
    }
    // The rounds reached the case the shortcut serves: one lot of several covers the debit.
    expect(fitInFirstOfMany).toBeGreaterThan(50);
  });

  it("orders ties by earning date then id", () => {
    const a = lot("a", 1, null, { earnedAt: "2026-02-01T00:00:00.000Z" });
    const b = lot("b", 1, null, { earnedAt: "2026-01-01T00:00:00.000Z" });
    expect([a, b].sort(spendingOrder).map((l) => l.id)).toEqual(["b", "a"]);
  });
});

describe("balance", () => {
  it("splits available, pending and held, and lists the next expiries by date", () => {
    const settings = defaultSettings();
    const state = {
      member: null,
      lots: [
        lot("a", 10, "2026-09-01T00:00:00.000Z"),
        lot("b", 5, "2026-09-01T00:00:00.000Z"),
        lot("c", 7, null, { availableAt: "2026-07-01T00:00:00.000Z" }),
        lot("gone", 100, "2026-06-01T00:00:00.000Z"),
      ],
      holds: [],
    };
    const b = balanceOf(state, settings, now);
    expect(b).toMatchObject({ available: 15, pending: 7, held: 0 });
    expect(b.nextExpiries).toEqual([{ points: 15, expiresAt: "2026-09-01T00:00:00.000Z" }]);
  });

  // balanceOf keeps what it worked out for a state: the same state asked again must still answer by the time asked.
  it("answers one state by the time asked: a lot turning available, a lot expiring, an earlier clock, other settings", () => {
    const settings = defaultSettings();
    const state = {
      member: null,
      lots: [lot("soon", 10, "2026-07-01T00:00:00.000Z"), lot("later", 7, null, { availableAt: "2026-06-20T00:00:00.000Z" })],
      holds: [],
    };
    const at = (iso: string) => balanceOf(state, settings, new Date(iso));
    expect(at("2026-06-15T12:00:00.000Z")).toMatchObject({ available: 10, pending: 7 });
    expect(at("2026-06-19T23:59:59.999Z")).toMatchObject({ available: 10, pending: 7 });
    expect(at("2026-06-20T00:00:00.000Z")).toMatchObject({ available: 17, pending: 0 });
    expect(at("2026-06-30T23:59:59.999Z").nextExpiries).toEqual([{ points: 10, expiresAt: "2026-07-01T00:00:00.000Z" }]);
    expect(at("2026-07-01T00:00:00.000Z")).toMatchObject({ available: 7, pending: 0, nextExpiries: [] });
    // A clock behind the one the balance was worked out at (a job's or a test's `now`).
    expect(at("2026-06-15T12:00:00.000Z")).toMatchObject({ available: 10, pending: 7 });
    const valued = defaultSettings({ redemptionValue: { points: 1, amount: 2 } });
    expect(balanceOf(state, valued, new Date("2026-06-15T12:00:00.000Z")).availableValue.amount).toBe(20);
    expect(balanceOf(state, settings, new Date("2026-06-15T12:00:00.000Z")).availableValue).toEqual(pointsValue(10, settings));
  });

  it("lists the five soonest expiry dates with every point on them, for random lots and unloaded rests", () => {
    const random = seeded(0x1b873593);
    const day = (d: number) => new Date(Date.UTC(2026, 5, 1 + d)).toISOString();
    const settings = defaultSettings();
    for (let round = 0; round < 300; round++) {
      const lots = Array.from({ length: random(30) }, (_, i) =>
        lot(`l${i}`, random(5) === 0 ? 0 : 1 + random(50), random(4) === 0 ? null : day(random(40) - 5), { availableAt: day(random(3) === 0 ? 20 : -1) }),
      );
      const rest = random(2) === 0 ? null : { points: 0, after: lots[0] ?? lot("x", 1, null), expiries: Array.from({ length: random(4) }, () => ({ expiresAt: day(10 + random(40)), points: 1 + random(9) })).sort((a, b) => (a.expiresAt < b.expiresAt ? -1 : 1)) };
      // The meaning kept: every unexpired open lot's and the rest's points by date, the first five dates.
      const byDate = new Map<string, number>();
      for (const l of lots) if (l.remaining > 0 && l.expiresAt && l.expiresAt > now.toISOString()) byDate.set(l.expiresAt, (byDate.get(l.expiresAt) ?? 0) + l.remaining);
      for (const e of rest?.expiries ?? []) byDate.set(e.expiresAt, (byDate.get(e.expiresAt) ?? 0) + e.points);
      const expected = [...byDate].sort(([a], [b]) => (a < b ? -1 : 1)).slice(0, 5).map(([expiresAt, points]) => ({ points, expiresAt }));
      const state = { member: null, lots, holds: [], ...(rest ? { rest } : {}) };
      expect([round, balanceOf(state, settings, now).nextExpiries]).toEqual([round, expected]);
    }
  });
});

describe("tiers", () => {
  const tiers = [
    { name: "gold", threshold: 1000, multiplierPercent: 200 },
    { name: "silver", threshold: 100, multiplierPercent: 150 },
  ];
  it("finds the deserved tier and the next one", () => {
    expect(tierFor(99, tiers)).toBeNull();
    expect(tierFor(100, tiers)?.name).toBe("silver");
    expect(tierFor(5000, tiers)?.name).toBe("gold");
    expect(nextTier(150, "silver", tiers)).toEqual({ name: "gold", pointsNeeded: 850 });
    expect(nextTier(5000, "gold", tiers)).toBeNull();
  });
  it("only ever upgrades on accrual", () => {
    expect(upgradedTier(null, 150, tiers)).toBe("silver");
    expect(upgradedTier("gold", 150, tiers)).toBe("gold");
  });
});

describe("expiry dates (UTC)", () => {
  it.each([
    ["2026-01-31T10:00:00Z", "month", 0, "2026-02-01T00:00:00.000Z"],
    ["2026-12-31T23:59:59Z", "month", 0, "2027-01-01T00:00:00.000Z"],
    ["2028-02-29T12:00:00Z", "month", 0, "2028-03-01T00:00:00.000Z"],
    ["2026-05-10T00:00:00Z", "quarter", 0, "2026-07-01T00:00:00.000Z"],
    ["2026-11-15T00:00:00Z", "quarter", 1, "2027-04-01T00:00:00.000Z"],
    ["2026-05-10T00:00:00Z", "year", 1, "2028-01-01T00:00:00.000Z"],
  ] as const)("earned %s, end of %s +%s is %s", (earned, period, plus, expected) => {
    expect(endOfPeriod(new Date(earned), period, plus).toISOString()).toBe(expected);
  });

  it("rolls N days after earning across a leap day", () => {
    expect(lotExpiresAt({ policy: "rolling", days: 1 }, new Date("2028-02-28T08:00:00Z"))?.toISOString()).toBe("2028-02-29T08:00:00.000Z");
    expect(lotExpiresAt({ policy: "never" }, now)).toBeNull();
  });
});

describe("the idle deadline (inactivity policy)", () => {
  const inactivity = { policy: "inactivity", days: 30 } as const;
  const active = { lastActivityAt: "2026-05-16T12:00:00.000Z" };

  it("falls the policy's days after the last activity, and the member is idle from that instant on", () => {
    expect(idleDeadline(active, inactivity)?.toISOString()).toBe("2026-06-15T12:00:00.000Z");
    expect(isIdle(active, inactivity, new Date(now.getTime() - 1))).toBe(false);
    expect(isIdle(active, inactivity, now)).toBe(true);
  });

  it.each([
    ["another policy", active, { policy: "rolling", days: 30 } as const],
    ["no activity yet", { lastActivityAt: null }, inactivity],
    ["no member", null, inactivity],
  ] as const)("has none with %s", (_case, member, policy) => {
    expect(idleDeadline(member, policy)).toBeNull();
    expect(isIdle(member, policy, new Date("2100-01-01T00:00:00Z"))).toBe(false);
  });
});
