// Zone-local calendar and exact arithmetic the rules engine stands on: local times against Intl itself, day starts across DST, splits and ratios.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ratio } from "../../src/campaigns/arithmetic";
import { localPeriodBounds, localTime, startOfLocalDay } from "../../src/campaigns/calendar";
import { splitByWeights } from "../../src/campaigns/split";
import { divideRounded } from "../../src/ledger/money";

const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "America/Santiago", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns"];

/** The wall clock as Intl formats it, to compare the cached offsets against. */
function intlWall(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("sv-SE", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(at);
}
const pad = (n: number) => String(n).padStart(2, "0");
const ours = (at: Date, timeZone: string) => {
  const t = localTime(at, timeZone);
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
};

describe("localTime", () => {
  it("reads every instant as Intl does, in zones with DST, half and quarter hours", () => {
    const from = Date.parse("2025-01-01T00:00:00Z");
    const to = Date.parse("2028-01-01T00:00:00Z");
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), fc.constantFrom(...ZONES), (ms, zone) => {
        expect(ours(new Date(ms), zone)).toBe(intlWall(new Date(ms), zone));
      }),
      { numRuns: 2_000 },
    );
  });

  it("reads the seconds around each DST change as Intl does", () => {
    for (const [zone, change] of [["Europe/Berlin", "2026-03-29T01:00:00Z"], ["Europe/Berlin", "2026-10-25T01:00:00Z"], ["America/New_York", "2026-03-08T07:00:00Z"], ["America/New_York", "2026-11-01T06:00:00Z"], ["Australia/Lord_Howe", "2026-04-04T15:00:00Z"]] as const) {
      for (const delta of [-1_000, -1, 0, 1, 1_000]) {
        const at = new Date(Date.parse(change) + delta);
        expect([zone, at.toISOString(), ours(at, zone)]).toEqual([zone, at.toISOString(), intlWall(at, zone)]);
      }
    }
  });

  it("gives ISO weekdays", () => {
    expect(localTime(new Date("2026-03-09T12:00:00Z"), "UTC").isoWeekday).toBe(1);
    expect(localTime(new Date("2026-03-15T12:00:00Z"), "UTC").isoWeekday).toBe(7);
    expect(localTime(new Date("2026-03-15T23:30:00Z"), "Europe/Berlin").isoWeekday).toBe(1);
  });
});

describe("startOfLocalDay and localPeriodBounds", () => {
  it.each([
    { zone: "UTC", date: [2026, 3, 10], start: "2026-03-10T00:00:00.000Z" },
    { zone: "Europe/Berlin", date: [2026, 3, 29], start: "2026-03-28T23:00:00.000Z" },
    { zone: "Europe/Berlin", date: [2026, 3, 30], start: "2026-03-29T22:00:00.000Z" },
    { zone: "Europe/Berlin", date: [2026, 10, 25], start: "2026-10-24T22:00:00.000Z" },
    { zone: "Europe/Berlin", date: [2026, 10, 26], start: "2026-10-25T23:00:00.000Z" },
    { zone: "America/New_York", date: [2026, 3, 8], start: "2026-03-08T05:00:00.000Z" },
    { zone: "America/New_York", date: [2026, 3, 9], start: "2026-03-09T04:00:00.000Z" },
    { zone: "America/New_York", date: [2026, 11, 2], start: "2026-11-02T05:00:00.000Z" },
    // Chile moves its clocks at midnight: 6 September 2026 begins at 01:00 local, 04:00 UTC.
    { zone: "America/Santiago", date: [2026, 9, 6], start: "2026-09-06T04:00:00.000Z" },
    { zone: "Asia/Kathmandu", date: [2026, 1, 1], start: "2025-12-31T18:15:00.000Z" },
  ])("$zone $date starts at $start", ({ zone, date: [year, month, day], start }) => {
    expect(startOfLocalDay({ year: year!, month: month!, day: day! }, zone).toISOString()).toBe(start);
  });

  it.each([
    { zone: "Europe/Berlin", at: "2026-03-29T12:00:00Z", period: "day", bounds: ["2026-03-28T23:00:00.000Z", "2026-03-29T22:00:00.000Z"] },
    { zone: "Europe/Berlin", at: "2026-03-29T12:00:00Z", period: "week", bounds: ["2026-03-22T23:00:00.000Z", "2026-03-29T22:00:00.000Z"] },
    { zone: "Europe/Berlin", at: "2026-03-31T21:59:59Z", period: "month", bounds: ["2026-02-28T23:00:00.000Z", "2026-03-31T22:00:00.000Z"] },
    { zone: "Europe/Berlin", at: "2025-12-31T23:00:00Z", period: "year", bounds: ["2025-12-31T23:00:00.000Z", "2026-12-31T23:00:00.000Z"] },
    { zone: "America/New_York", at: "2026-12-31T23:59:59Z", period: "month", bounds: ["2026-12-01T05:00:00.000Z", "2027-01-01T05:00:00.000Z"] },
    { zone: "UTC", at: "2026-01-01T00:00:00Z", period: "week", bounds: ["2025-12-29T00:00:00.000Z", "2026-01-05T00:00:00.000Z"] },
  ] as const)("$period of $at in $zone", ({ zone, at, period, bounds }) => {
    const { start, end } = localPeriodBounds(new Date(at), period, zone);
    expect([start.toISOString(), end.toISOString()]).toEqual(bounds);
  });

  it("contains the instant, and its start reads as local midnight of that day or the first instant after", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse("2025-01-01T00:00:00Z"), max: Date.parse("2028-01-01T00:00:00Z") }), fc.constantFrom(...ZONES), fc.constantFrom("day" as const, "week" as const, "month" as const, "year" as const), (ms, zone, period) => {
        const { start, end } = localPeriodBounds(new Date(ms), period, zone);
        expect(start.getTime()).toBeLessThanOrEqual(ms);
        expect(end.getTime()).toBeGreaterThan(ms);
        const first = localTime(start, zone);
        const before = localTime(new Date(start.getTime() - 1), zone);
        expect(first.hour * 60 + first.minute).toBeLessThanOrEqual(60);
        expect([before.year, before.month, before.day]).not.toEqual([first.year, first.month, first.day]);
      }),
      { numRuns: 500 },
    );
  });
});

describe("splitByWeights and ratio", () => {
  it.each([
    { total: 20, weights: [333, 333, 334], parts: [7, 6, 7] },
    { total: 10, weights: [1, 1, 1], parts: [4, 3, 3] },
    { total: 5, weights: [0, 0], parts: [3, 2] },
    { total: 0, weights: [5, 7], parts: [0, 0] },
    { total: 7, weights: [9], parts: [7] },
    { total: 3, weights: [2, 3], parts: [1, 2] },
  ])("splits $total over $weights as $parts", ({ total, weights, parts }) => {
    expect(splitByWeights(total, weights)).toEqual(parts);
  });

  it("always adds up, in plain numbers and in BigInt alike", () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat({ max: 10_000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })), fc.array(fc.oneof(fc.nat({ max: 1_000 }), fc.integer({ min: 0, max: 2 ** 40 })), { minLength: 1, maxLength: 6 }), (total, weights) => {
        const parts = splitByWeights(total, weights);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        for (const part of parts) expect(part).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 1_000 },
    );
  });

  it("rounds as the ledger's BigInt division does, below and beyond safe integers", () => {
    const factor = fc.oneof(fc.nat({ max: 10_000 }), fc.integer({ min: 0, max: 1_000_000_000_000 }));
    fc.assert(
      fc.property(factor, factor, fc.nat({ max: 10_000 }), fc.integer({ min: 1, max: 1_000_000_000 }), fc.constantFrom("floor" as const, "round" as const, "ceil" as const), (a, b, c, d, rounding) => {
        const exact = BigInt(a) * BigInt(b) * BigInt(c);
        let expected: number | "beyond";
        try {
          expected = divideRounded(exact, BigInt(d), rounding);
        } catch {
          expected = "beyond";
        }
        let actual: number | "beyond";
        try {
          actual = ratio(a, b, c, d, rounding);
        } catch {
          actual = "beyond";
        }
        expect(actual).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });
});
