// Job: the birthday bonus, once per member and year, on the member's day in the program's time zone.
import { sql } from "drizzle-orm";
import { birthdaysOn, localDate, type LocalDate } from "../bonuses/birthday";
import type { BirthdayResult } from "../bonuses/ops";
import { rulesInForceFor } from "../campaigns/active";
import { askMember, LEFT_COUNT_CAP, readCursor, type Job } from "./support";
import { walkMembers } from "./walk";

const CURSOR = "birthday-bonus";

/** Where today's pass stands: the day it walks and the last member done; a new day starts from the front. */
interface Position {
  date: string;
  after: string;
}

const dayKey = (date: LocalDate) => `${date.year}-${String(date.month).padStart(2, "0")}-${String(date.day).padStart(2, "0")}`;

/**
 * The members who celebrate on `date` (29 February's on a common year's 28
 * February), after `after` by member id, on the members_by_birthday index.
 */
export function birthdaysPage(programId: string, date: LocalDate, after: string, limit: number) {
  const days = birthdaysOn(date);
  const match = sql.join(
    days.map((d) => sql`(birthday_month = ${d.month} AND birthday_day = ${d.day})`),
    sql` OR `,
  );
  return sql`
    SELECT member_id FROM members
    WHERE program_id = ${programId} AND birthday_month IS NOT NULL AND (${match}) AND member_id > ${after}
    ORDER BY member_id LIMIT ${limit}`;
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
  const saved = await readCursor<Position>(ctx.db, CURSOR, ctx.programId);
  const from: Position = saved?.date === dayKey(today) ? saved : { date: dayKey(today), after: "" };
  const walked = await walkMembers(ctx, {
    cursor: CURSOR,
    from,
    page: (at, limit) => ctx.db.all<{ member_id: string }>(birthdaysPage(ctx.programId, today, at.after, limit)),
    key: (row) => ({ date: from.date, after: row.member_id }),
    left: (at) => birthdaysPage(ctx.programId, today, at.after, LEFT_COUNT_CAP),
    member: (row) => row.member_id,
    visit: async (memberId) => {
      const result = await askMember<BirthdayResult>(ctx, memberId, (object, call) => object.grantBirthday({ ...call, rules }));
      return result.points > 0 ? 1 : 0;
    },
  });
  return { left: walked.left };
};
