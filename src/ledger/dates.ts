// Calendar arithmetic in UTC for pending periods and lot expiry dates.

const DAY_MS = 86_400_000;

export function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
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
      return new Date(Date.UTC(year, month + 1 + plusPeriods, 1));
    case "quarter":
      return new Date(Date.UTC(year, (Math.floor(month / 3) + 1 + plusPeriods) * 3, 1));
    case "year":
      return new Date(Date.UTC(year + 1 + plusPeriods, 0, 1));
  }
}

export function iso(at: Date): string {
  return at.toISOString();
}
