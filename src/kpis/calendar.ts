// The program's local calendar for KPIs: days in its time zone, Monday weeks, months, and the periods a range covers.

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The local date ('YYYY-MM-DD') of an instant in an IANA time zone. */
export function localDay(instant: string | Date, timeZone: string): string {
  // Most programs keep UTC, and every write asks for its days: the ISO date is the same answer without Intl.
  if (timeZone === "UTC") {
    const iso = (typeof instant === "string" ? new Date(instant) : instant).toISOString();
    // Years past 9999 are written with a sign and six digits: those go by Intl below.
    if (iso.length === 24) return iso.slice(0, 10);
  }
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    formatters.set(timeZone, format);
  }
  return format.format(typeof instant === "string" ? new Date(instant) : instant);
}

export function localMonth(instant: string | Date, timeZone: string): string {
  return localDay(instant, timeZone).slice(0, 7);
}

export type Interval = "day" | "week" | "month";

function utc(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDaysTo(day: string, days: number): string {
  const date = utc(day);
  date.setUTCDate(date.getUTCDate() + days);
  return dayOf(date);
}

export function addMonths(month: string, months: number): string {
  const [year, mon] = month.split("-").map(Number) as [number, number];
  const total = year * 12 + (mon - 1) + months;
  return `${String(Math.floor(total / 12)).padStart(4, "0")}-${String((total % 12) + 1).padStart(2, "0")}`;
}

/** Months from `a` to `b` ('YYYY-MM'): 0 for the same month. */
export function monthsBetween(a: string, b: string): number {
  const [ya, ma] = a.split("-").map(Number) as [number, number];
  const [yb, mb] = b.split("-").map(Number) as [number, number];
  return (yb - ya) * 12 + (mb - ma);
}

/** The key of the period a day is in: the day, its week's Monday, or its month (as the rollup triggers compute them). */
export function periodOf(day: string, interval: Interval): string {
  if (interval === "day") return day;
  if (interval === "month") return day.slice(0, 7);
  const weekday = (utc(day).getUTCDay() + 6) % 7; // Monday 0
  return addDaysTo(day, -weekday);
}

export function previousPeriod(period: string, interval: Interval): string {
  if (interval === "day") return addDaysTo(period, -1);
  if (interval === "week") return addDaysTo(period, -7);
  return addMonths(period, -1);
}

export function nextPeriod(period: string, interval: Interval): string {
  if (interval === "day") return addDaysTo(period, 1);
  if (interval === "week") return addDaysTo(period, 7);
  return addMonths(period, 1);
}

/** A period's first and last day. */
export function periodDays(period: string, interval: Interval): { from: string; to: string } {
  if (interval === "day") return { from: period, to: period };
  if (interval === "week") return { from: period, to: addDaysTo(period, 6) };
  return { from: `${period}-01`, to: addDaysTo(`${nextPeriod(period, "month")}-01`, -1) };
}

/** The whole periods that cover `from`..`to` (local days), in order. */
export function periodsCovering(from: string, to: string, interval: Interval): string[] {
  const periods: string[] = [];
  const last = periodOf(to, interval);
  for (let p = periodOf(from, interval); p <= last; p = nextPeriod(p, interval)) periods.push(p);
  return periods;
}

export function daysBetween(from: string, to: string): number {
  return Math.round((utc(to).getTime() - utc(from).getTime()) / 86_400_000);
}
