// Members' birthdays: what a valid one is, the local calendar day in the program's time zone, and the
// day a birthday falls on in a given year (29 February is kept on 28 February in common years).

export interface Birthday {
  month: number;
  day: number;
  year?: number | null;
}

/** A local calendar date: year, month 1-12, day 1-31. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Days in a month; in a year unknown, February has 29 (a birthday on 29 February needs no year). */
export function daysInMonth(month: number, year?: number | null): number {
  if (month === 2 && year !== undefined && year !== null) return isLeapYear(year) ? 29 : 28;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

/** Why a birthday is not a date, or null when it is one: 31 April, 29 February of a common year, a year to come. */
export function birthdayProblem(birthday: Birthday, today: LocalDate): { path: string; message: string } | null {
  const { month, day, year } = birthday;
  if (year !== undefined && year !== null && (year > today.year || (year === today.year && (month > today.month || (month === today.month && day > today.day))))) {
    return { path: "birthday.year", message: "a birthday cannot lie in the future" };
  }
  if (day > daysInMonth(month, year)) {
    const what = month === 2 && day === 29 ? `${year} is not a leap year` : `month ${month} has ${daysInMonth(month, year)} days`;
    return { path: "birthday.day", message: what };
  }
  return null;
}

/**
 * The day the member celebrates in `year`: the birthday itself, or 28
 * February for a 29 February birthday in a common year (the last day of the
 * birth month, so the bonus comes in the same month every year).
 */
export function birthdayIn(birthday: Pick<Birthday, "month" | "day">, year: number): LocalDate {
  const day = Math.min(birthday.day, daysInMonth(birthday.month, year));
  return { year, month: birthday.month, day };
}

/** The (month, day) pairs whose members celebrate on `date`: the date itself, and 29 February on a common year's 28 February. */
export function birthdaysOn(date: LocalDate): { month: number; day: number }[] {
  const on = [{ month: date.month, day: date.day }];
  if (date.month === 2 && date.day === 28 && !isLeapYear(date.year)) on.push({ month: 2, day: 29 });
  return on;
}

export function celebratesOn(birthday: Pick<Birthday, "month" | "day">, date: LocalDate): boolean {
  const day = birthdayIn(birthday, date.year);
  return day.month === date.month && day.day === date.day;
}

/** The calendar date at `at` in an IANA time zone. */
export function localDate(at: Date, timeZone: string): LocalDate {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(at);
  const part = (type: "year" | "month" | "day") => Number(parts.find((p) => p.type === type)!.value);
  return { year: part("year"), month: part("month"), day: part("day") };
}
