// Job: the birthday bonus, once per member and year, on the member's day in the program's time zone.
import { sql } from "drizzle-orm";
import { birthdaysOn, localDate, type LocalDate } from "../bonuses/birthday";
import type { BirthdayResult } from "../bonuses/ops";
import { rulesInForceFor } from "../campaigns/active";
import { askMember, LEFT_COUNT_CAP, readCursor, type Job, type JobContext } from "./support";
import { walkMembers } from "./walk";

const CURSOR = "birthday-bonus";

/**
 * Where today's pass stands: the day it walks, which of the day's birthdays
 * (`birthdaysOn`: one, or two on a common year's 28 February) and the last
 * member done in it. A new day starts from the front.
 */
interface Position {
  date: string;
  day: number;
  after: string;
}

const dayKey = (date: LocalDate) => `${date.year}-${String(date.month).padStart(2, "0")}-${String(date.day).padStart(2, "0")}`;

/** Members born on one (month, day), after `after` by member id: the members_by_birthday index in its own order. */
export function birthdaysPage(programId: string, birthday: { month: number; day: number }, after: string, limit: number) {
  return sql`
    SELECT member_id FROM members
    WHERE program_id = ${programId} AND birthday_month = ${birthday.month} AND birthday_day = ${birthday.day} AND member_id > ${after}
    ORDER BY member_id LIMIT ${limit}`;
}

type Row = { member_id: string; day: number };

/** The next page of the day's members: the rest of the current birthday, then the next one's from the front. */
async function pageOfDay(ctx: JobContext, days: readonly { month: number; day: number }[], at: Position, limit: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (let day = at.day; day < days.length && rows.length < limit; day++) {
    const found = await ctx.db.all<{ member_id: string }>(birthdaysPage(ctx.programId, days[day]!, day === at.day ? at.after : "", limit - rows.length));
    rows.push(...found.map((r) => ({ member_id: r.member_id, day })));
  }
  return rows;
}

/** What is left after `at`, counted up to the cap. */
function leftOfDay(programId: string, days: readonly { month: number; day: number }[], at: Position) {
  const parts = days.slice(at.day).map((birthday, index) => sql`SELECT member_id FROM (${birthdaysPage(programId, birthday, index === 0 ? at.after : "", LEFT_COUNT_CAP)})`);
  return parts.length === 0 ? null : sql`${sql.join(parts, sql` UNION ALL `)} LIMIT ${LEFT_COUNT_CAP}`;
}

/**
 * Walks today's birthdays (in the program's time zone) by member id from the
 * saved position, and has each member's object give the year's bonus. The
 * object re-checks the day and member_bonuses, so a second or overlapping run
 * gives nothing twice; a failed member stops the cursor before it, for the
 * next run. Runs hourly, so each program's day is reached soon after its midnight.
 */
export const birthdayBonus: Job = async (ctx) => {
  const rules = await rulesInForceFor(ctx.env, ctx.programId, ctx.settings, ctx.now, "birthday");
  if (rules.length === 0) return { left: 0 };
  const today = localDate(ctx.now, ctx.settings.timeZone);
  const days = birthdaysOn(today);
  const saved = await readCursor<Position>(ctx.db, CURSOR, ctx.programId);
  const from: Position = saved?.date === dayKey(today) ? saved : { date: dayKey(today), day: 0, after: "" };
  const walked = await walkMembers<Row, Position>(ctx, {
    cursor: CURSOR,
    from,
    page: (at, limit) => pageOfDay(ctx, days, at, limit),
    key: (row) => ({ date: from.date, day: row.day, after: row.member_id }),
    left: (at) => leftOfDay(ctx.programId, days, at),
    member: (row) => row.member_id,
    visit: async (memberId) => {
      const result = await askMember<BirthdayResult>(ctx, memberId, (object, call) => object.grantBirthday({ ...call, rules }));
      return result.points > 0 ? 1 : 0;
    },
  });
  return { left: walked.left };
};
