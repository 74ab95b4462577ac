// Zone-local calendar: the program's dates, weekdays and hours, read through Intl so every DST change is the zone's own.

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface LocalTime {
  year: number;
  /** 1 to 12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** ISO weekday: 1 = Monday ... 7 = Sunday. */
  isoWeekday: number;
}

/** A civil date without a zone. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

// Building a DateTimeFormat is far dearer than using one: one per zone per isolate.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Days since 1970-01-01 of a civil date (proleptic Gregorian, any year). */
function dayNumber(date: CivilDate): number {
  const at = new Date(0);
  at.setUTCFullYear(date.year, date.month - 1, date.day);
  return Math.floor(at.getTime() / DAY_MS);
}

/** The civil date `days` after `date` (negative: before); months and years roll over. */
export function addCivilDays(date: CivilDate, days: number): CivilDate {
  const at = new Date(0);
  at.setUTCFullYear(date.year, date.month - 1, date.day + days);
  return { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1, day: at.getUTCDate() };
}

/** The zone's wall clock at `at`, read through Intl (slow: about 10 µs). */
function formattedWall(at: Date, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(at);
  const field = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const bc = parts.find((p) => p.type === "era")?.value === "BC";
  const year = bc ? 1 - field("year") : field("year");
  return dayNumber({ year, month: field("month"), day: field("day") }) * DAY_MS + (((field("hour") % 24) * 60 + field("minute")) * 60 + field("second")) * 1000;
}

// Every zone's offset is constant within a UTC quarter hour (offsets and their changes fall on quarter
// hours), so one Intl reading per zone and quarter hour serves every instant in it.
const QUARTER_HOUR_MS = 900_000;
const MAX_CACHED_OFFSETS = 8_192;
const offsets = new Map<string, Map<number, number>>();

/** How far `timeZone`'s wall clock is ahead of UTC at `at`, in milliseconds. */
export function zoneOffsetMs(at: Date, timeZone: string): number {
  if (timeZone === "UTC") return 0;
  const quarter = Math.floor(at.getTime() / QUARTER_HOUR_MS);
  let zone = offsets.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsets.set(timeZone, zone);
  }
  let offset = zone.get(quarter);
  if (offset === undefined) {
    const start = quarter * QUARTER_HOUR_MS;
    offset = formattedWall(new Date(start), timeZone) - start;
    if (zone.size >= MAX_CACHED_OFFSETS) zone.clear();
    zone.set(quarter, offset);
  }
  return offset;
}

/** Wall-clock time in `timeZone` at the instant `at`. */
export function localTime(at: Date, timeZone: string): LocalTime {
  const wall = new Date(at.getTime() + zoneOffsetMs(at, timeZone));
  const year = wall.getUTCFullYear();
  const month = wall.getUTCMonth() + 1;
  const day = wall.getUTCDate();
  return {
    year,
    month,
    day,
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    isoWeekday: ((wall.getUTCDay() + 6) % 7) + 1,
  };
}

/**
 * The first instant of a local day in `timeZone`. Normally local midnight; where a DST change skips
 * midnight (some zones jump from 23:59 to 01:00), the first instant that reads as that date.
 */
export function startOfLocalDay(date: CivilDate, timeZone: string): Date {
  const wallMidnight = dayNumber(date) * DAY_MS;
  // Two passes: the offset at a first guess, then the offset at the instant that guess gives.
  let at = wallMidnight - zoneOffsetMs(new Date(wallMidnight), timeZone);
  at = wallMidnight - zoneOffsetMs(new Date(at), timeZone);
  const target = dayNumber(date);
  for (let step = 0; step < 4 && dayNumber(localTime(new Date(at), timeZone)) < target; step++) at += HOUR_MS;
  return new Date(at);
}

export type CalendarPeriod = "day" | "week" | "month" | "year";

/** [start, end) of the local calendar day, ISO week (Monday first), month or year in `timeZone` that contains `at`. */
export function localPeriodBounds(at: Date, period: CalendarPeriod, timeZone: string): { start: Date; end: Date } {
  const local = localTime(at, timeZone);
  let first: CivilDate;
  let next: CivilDate;
  switch (period) {
    case "day":
      first = local;
      next = addCivilDays(local, 1);
      break;
    case "week":
      first = addCivilDays(local, 1 - local.isoWeekday);
      next = addCivilDays(first, 7);
      break;
    case "month":
      first = { year: local.year, month: local.month, day: 1 };
      next = local.month === 12 ? { year: local.year + 1, month: 1, day: 1 } : { year: local.year, month: local.month + 1, day: 1 };
      break;
    case "year":
      first = { year: local.year, month: 1, day: 1 };
      next = { year: local.year + 1, month: 1, day: 1 };
      break;
  }
  return { start: startOfLocalDay(first, timeZone), end: startOfLocalDay(next, timeZone) };
}
