// Job: a daily pass over the program's members with a tier or qualifying points, reviewing each tier.
import { and, asc, eq, gt, isNotNull, or, sql } from "drizzle-orm";
import { members } from "../db/schema";
import { decideTier, sameTierFields } from "../ledger/tier-review";
import { readQualifying } from "../members/job-reads";
import { askMember, LEFT_COUNT_CAP, readCursor, writeCursor, type Job, type JobContext } from "./support";
import { walkMembers } from "./walk";

const CURSOR = "recalculate-tiers";

/** A pass starts once a day (UTC) and runs by member id over as many runs as it needs. */
interface PassCursor {
  day: string;
  afterMemberId: string;
  finished: boolean;
}

/** Members whose tier a review could change: with a tier, qualifying points, or a granted tier. */
export function candidates(programId: string, afterMemberId: string) {
  return and(
    eq(members.programId, programId),
    gt(members.memberId, afterMemberId),
    or(isNotNull(members.tier), gt(members.qualifyingPoints, 0), isNotNull(members.tierLockedUntil)),
  );
}

async function reviewMember(ctx: JobContext, memberId: string): Promise<number> {
  await askMember(ctx, memberId, (object, call) => object.reviewTier(call));
  return 0;
}

/**
 * Each page is first judged here from D1 with the same pure decision the
 * member's object makes; only members whose tier fields would change are
 * sent to their object, which decides again on its own state before writing.
 */
export const recalculateTiers: Job = async (ctx) => {
  const { db, programId, settings, now } = ctx;
  const today = now.toISOString().slice(0, 10);
  let pass = (await readCursor<PassCursor>(db, CURSOR, programId)) ?? { day: "", afterMemberId: "", finished: true };
  if (pass.finished) {
    // An operator's run starts a fresh pass at once, e.g. after changing the tier rules.
    if (pass.day === today && ctx.trigger === "cron") return { left: 0 };
    pass = { day: today, afterMemberId: "", finished: false };
    // Saved before the walk, so a fresh pass that gets nowhere is not taken for today's finished one.
    await writeCursor(db, CURSOR, programId, pass, now);
  }
  const { day } = pass;
  const walked = await walkMembers(ctx, {
    cursor: CURSOR,
    from: pass,
    page: async (after, limit) => {
      const rows = await db.select().from(members).where(candidates(programId, after.afterMemberId)).orderBy(asc(members.memberId)).limit(limit);
      if (rows.length === 0) return [];
      const totals = await readQualifying(db, programId, rows[0]!.memberId, rows[rows.length - 1]!.memberId, settings, now);
      return rows.map((row) => ({
        memberId: row.memberId,
        changing: !sameTierFields(row, decideTier(row, totals ? (totals.get(row.memberId) ?? 0) : null, settings, now)),
      }));
    },
    key: (row) => ({ day, afterMemberId: row.memberId, finished: false }),
    end: (at) => ({ ...at, finished: true }),
    left: (at) => (at.finished ? null : sql`SELECT 1 FROM members WHERE ${candidates(programId, at.afterMemberId)} LIMIT ${LEFT_COUNT_CAP}`),
    member: (row) => row.memberId,
    due: (row) => row.changing,
    visit: (memberId) => reviewMember(ctx, memberId),
    // Every member of the page up to a failure was reviewed, changed or not.
    counts: "rows",
  });
  return { left: walked.left };
};
