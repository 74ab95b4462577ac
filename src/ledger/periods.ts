// Settlement periods: calendar months ("2026-11") or quarters ("2026-Q4"), in UTC.
import { utcDate } from "./dates";

export type PeriodKind = "month" | "quarter";

/** Any period id, month or quarter: the one pattern routes validate against. */
export const PERIOD_ID = /^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const QUARTER = /^(\d{4})-Q([1-4])$/;

export function periodKindOf(id: string): PeriodKind | null {
  if (MONTH.test(id)) return "month";
  if (QUARTER.test(id)) return "quarter";
  return null;
}

/** The period that contains `at`; ids have four-digit years, so only years 0 to 9999 have one. */
export function periodOf(at: Date, kind: PeriodKind): string {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  if (!(year >= 0 && year <= 9999)) throw new RangeError(`no period id for year ${year}`);
  const yyyy = String(year).padStart(4, "0");
  return kind === "month" ? `${yyyy}-${String(month + 1).padStart(2, "0")}` : `${yyyy}-Q${Math.floor(month / 3) + 1}`;
}

/** [start, end) of a period as Dates. */
export function periodBounds(id: string): { start: Date; end: Date } {
  const m = MONTH.exec(id);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]) - 1;
    return { start: utcDate(year, month), end: utcDate(year, month + 1) };
  }
  const q = QUARTER.exec(id);
  if (!q) throw new RangeError(`not a period: ${id}`);
  const year = Number(q[1]);
  const first = (Number(q[2]) - 1) * 3;
  return { start: utcDate(year, first), end: utcDate(year, first + 3) };
}

export function nextPeriod(id: string): string {
  const kind = periodKindOf(id);
  if (!kind) throw new RangeError(`not a period: ${id}`);
  return periodOf(periodBounds(id).end, kind);
}

/**
 * Where an entry is settled: the period of its occurredAt, unless that period
 * is closed, in which case the first open one. Ids of one kind sort in time order.
 */
export function settlementPeriodFor(occurredAt: Date, kind: PeriodKind, closedThrough: string | null): string {
  const own = periodOf(occurredAt, kind);
  if (closedThrough === null || own > closedThrough) return own;
  return nextPeriod(closedThrough);
}
