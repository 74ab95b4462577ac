// Calendar arithmetic in UTC for pending periods and lot expiry dates.

const DAY_MS = 86_400_000;

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
