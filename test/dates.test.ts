// Dates at the edges: the window an order's occurredAt must lie in, and calendar maths and period ids for every year.
import { describe, expect, it } from "vitest";
import { endOfPeriod, timeOf, utcDate } from "../src/ledger/dates";
import { lotExpiresAt } from "../src/ledger/expiry";
import { defaultSettings } from "../src/ledger/settings";
import { qualifyingWindowStart } from "../src/ledger/tier-review";
import { nextPeriod, periodBounds, periodOf, settlementPeriodFor } from "../src/ledger/periods";
import { accrue, call, createProgram, enroll, expectLedgerConsistent } from "./helpers";

const DAY = 86_400_000;
const at = (isoString: string) => new Date(isoString);

describe("occurredAt", () => {
  it("refuses an order from year 0001, and one from before the program's window (365 days by default)", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    const ancient = await accrue(p.server, "ada", 1000, { occurredAt: "0001-01-01T00:00:00Z" });
    expect(ancient.status).toBe(422);
    expect(ancient.json).toMatchObject({ code: "occurred_before_window", errors: [{ path: "occurredAt" }] });
    const tooOld = await accrue(p.server, "ada", 1000, { occurredAt: new Date(Date.now() - 366 * DAY).toISOString() });
    expect(tooOld.json.code).toBe("occurred_before_window");
    const inWindow = await accrue(p.server, "ada", 1000, { occurredAt: new Date(Date.now() - 364 * DAY).toISOString() });
    expect(inWindow.status).toBe(201);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("takes older orders once the program widens its window", async () => {
    const p = await createProgram({ maxBackdateDays: 3650 });
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 1000, { occurredAt: new Date(Date.now() - 3000 * DAY).toISOString() })).status).toBe(201);
    expect((await call("/v1/program", { method: "PATCH", key: p.admin, body: { maxBackdateDays: 0 } })).status).toBe(200);
    expect((await accrue(p.server, "ada", 1000, { occurredAt: new Date(Date.now() - DAY).toISOString() })).json.code).toBe("occurred_before_window");
  });

  it("refuses the same in a bulk posting, item by item", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    const res = await call("/v1/transactions/batch", {
      key: p.server,
      idempotencyKey: null,
      body: {
        items: [
          { type: "accrual", memberId: "ada", orderId: "b-old", amount: { amount: 1000, currency: "EUR" }, occurredAt: "0099-12-31T23:59:59Z" },
          { type: "accrual", memberId: "ada", orderId: "b-new", amount: { amount: 1000, currency: "EUR" } },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.results.map((r: { status: string; error?: { code: string } }) => r.error?.code ?? r.status)).toEqual(["occurred_before_window", "posted"]);
  });
});

describe("calendar maths for every year", () => {
  it("builds dates of years 0 to 99 in those years, not in 1900 to 1999", () => {
    expect(utcDate(1, 0, 1).toISOString()).toBe("0001-01-01T00:00:00.000Z");
    expect(utcDate(99, 12, 1).toISOString()).toBe("0100-01-01T00:00:00.000Z");
    expect(endOfPeriod(at("0050-05-10T00:00:00Z"), "year", 1).toISOString()).toBe("0052-01-01T00:00:00.000Z");
    expect(endOfPeriod(at("0001-12-10T00:00:00Z"), "month").toISOString()).toBe("0002-01-01T00:00:00.000Z");
    expect(endOfPeriod(at("0007-02-10T00:00:00Z"), "quarter", 2).toISOString()).toBe("0007-10-01T00:00:00.000Z");
    expect(lotExpiresAt({ policy: "period_end", period: "year", plusPeriods: 0 }, at("0001-06-01T00:00:00Z"))?.toISOString()).toBe("0002-01-01T00:00:00.000Z");
    const calendarYear = defaultSettings({ tierQualification: { window: { type: "calendar_year" } } }).tierQualification;
    expect(qualifyingWindowStart(calendarYear, at("0042-07-01T00:00:00Z"))?.toISOString()).toBe("0042-01-01T00:00:00.000Z");
  });

  it("gives well-formed period ids with four-digit years, and their bounds, for years 0 to 9999", () => {
    expect(periodOf(at("0001-01-15T00:00:00Z"), "month")).toBe("0001-01");
    expect(periodOf(at("0009-11-15T00:00:00Z"), "quarter")).toBe("0009-Q4");
    expect(periodBounds("0001-01")).toEqual({ start: at("0001-01-01T00:00:00Z"), end: at("0001-02-01T00:00:00Z") });
    expect(periodBounds("0000-Q1").start.toISOString()).toBe("0000-01-01T00:00:00.000Z");
    expect(nextPeriod("0099-12")).toBe("0100-01");
    expect(nextPeriod("0999-Q4")).toBe("1000-Q1");
    expect(settlementPeriodFor(at("0005-03-01T00:00:00Z"), "month", "0005-03")).toBe("0005-04");
    expect(() => nextPeriod("9999-12")).toThrow(RangeError);
    expect(() => periodOf(at("+010000-01-01T00:00:00Z"), "month")).toThrow(RangeError);
  });
});

describe("settlement periods in the path", () => {
  it("answers an empty statement for 0001-01 and refuses to close a period from before the program could have entries", async () => {
    const p = await createProgram();
    const statement = await call("/v1/settlements/0001-01", { key: p.admin });
    expect(statement.status).toBe(200);
    expect(statement.json.period).toBe("0001-01");
    const close = await call("/v1/settlements/0001-01/close", { key: p.admin, method: "POST" });
    expect(close.status).toBe(409);
    expect(close.json.code).toBe("period_out_of_order");
    expect((await call("/v1/program", { key: p.admin })).json.closedThrough).toBeNull();
  });
});

describe("timeOf", () => {
  it("is Date.parse, for stored and other spellings, invalid ones, and after its memory starts afresh", () => {
    const spellings = ["2026-06-15T12:00:00.000Z", "2026-06-15T12:00:00Z", "2026-06-15T14:00:00+02:00", "+010000-01-01T00:00:00.000Z", "not a date", ""];
    for (const iso of spellings) {
      expect([iso, timeOf(iso)]).toEqual([iso, Date.parse(iso)]);
      expect([iso, timeOf(iso)]).toEqual([iso, Date.parse(iso)]);
    }
    // More distinct timestamps than it keeps: each still parses to itself.
    for (let i = 0; i <= 100_000; i++) {
      const iso = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
      if (timeOf(iso) !== Date.UTC(2026, 0, 1) + i * 1000) expect.fail(`${iso} parsed to ${timeOf(iso)}`);
    }
    expect(timeOf(spellings[0]!)).toBe(Date.parse(spellings[0]!));
  });
});
