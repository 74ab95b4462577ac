// Calendar arithmetic in UTC for pending periods and lot expiry dates.

const DAY_MS = 86_400_000;

/** Timestamps parsed lately, up to MAX_PARSED (then it starts afresh): a lot's dates are read on every call that walks the lots. */
const parsed = new Map<string, number>();
const MAX_PARSED = 100_000;

/**
 * Date.parse of a stored timestamp, kept: a member's object compares the same lots' availableAt and
 * expiresAt on every redemption and balance, and a Map lookup costs a tenth of a parse.
 */
export function timeOf(iso: string): number {
  let time = parsed.get(iso);
  if (time === undefined) {
    time = Date.parse(iso);
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(iso, time);
  }
  return time;
}

export function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
}

/**
 * Midnight UTC of a calendar day; months past 11 roll into later years. Unlike
 * Date.UTC, which reads years 0 to 99 as 1900 to 1999, any year means itself.
 */
export function utcDate(year: number, monthIndex: number, day = 1): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  return date;
}

export type Period = "month" | "quarter" | "year";

/**
 * The first instant after the end of the period that contains `at`, moved
 * `plusPeriods` periods further: points earned on 2026-05-10 with
 * ("year", 1) expire at 2028-01-01T00:00:00Z, i.e. they live through the end
 * of the following calendar year. All in UTC.
 */
export function endOfPeriod(at: Date, period: Period, plusPeriods = 0): Date {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  switch (period) {
    case "month":
      return utcDate(year, month + 1 + plusPeriods);
    case "quarter":
      return utcDate(year, (Math.floor(month / 3) + 1 + plusPeriods) * 3);
    case "year":
      return utcDate(year + 1 + plusPeriods, 0);
  }
}

export function iso(at: Date): string {
  return at.toISOString();
}
