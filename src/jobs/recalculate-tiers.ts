// Job: a daily pass over the program's members with a tier or qualifying points, reviewing each tier.
import { and, eq, gt, isNotNull, or, sql } from "drizzle-orm";
import { members } from "../db/schema";
import { isIdle } from "../ledger/expiry";
import { decideTier, reviewTier, sameTierFields } from "../ledger/tier-review";
import { readTierPage, type TierReading } from "../members/job-reads";
import { writeAround, type AroundWork } from "./around";
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

async function reviewMember(ctx: JobContext, reading: TierReading): Promise<number> {
  await askMember(ctx, reading.memberId, (object, call) => object.reviewTier(call, { version: reading.version, windowQualifying: reading.windowQualifying }));
  return 0;
}

/**
 * The review written around the member's object, on the total the page read:
 * only while the member is at the version it was read with, and not idle
 * past the inactivity limit (the object would expire their points first).
 */
function reviewAround(ctx: JobContext, readings: ReadonlyMap<string, TierReading>): AroundWork<unknown> {
  return {
    plans: (state, opCtx) => {
      const reading = state.member && readings.get(state.member.memberId);
      if (!reading || state.member!.version !== reading.version || isIdle(state.member, ctx.settings.expiry, ctx.now)) return null;
      const plan = reviewTier(state, reading.windowQualifying, opCtx);
      return plan ? [plan] : [];
    },
    items: () => 0,
  };
}

/**
 * Each page is judged here from D1 with the same pure decision the member's
 * object makes, members and their window's totals read in one statement; only
 * members whose tier fields would change are sent to their object, with what
 * was read. The object decides again on its own state before writing, on
 * that total only if it still holds the version it was read with.
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
  // What each page read of its members, handed on to their objects.
  const readings = new Map<string, TierReading>();
  const walked = await walkMembers(ctx, {
    cursor: CURSOR,
    from: pass,
    page: async (after, limit) => {
      const page = await readTierPage(db, candidates(programId, after.afterMemberId), limit, settings, now);
      readings.clear();
      for (const reading of page) readings.set(reading.memberId, reading);
      return page.map((reading) => ({
        memberId: reading.memberId,
        changing: !sameTierFields(reading, decideTier(reading, reading.windowQualifying, settings, now)),
      }));
    },
    key: (row) => ({ day, afterMemberId: row.memberId, finished: false }),
    end: (at) => ({ ...at, finished: true }),
    left: (at) => (at.finished ? null : sql`SELECT 1 FROM members WHERE ${candidates(programId, at.afterMemberId)} LIMIT ${LEFT_COUNT_CAP}`),
    member: (row) => row.memberId,
    due: (row) => row.changing,
    visit: (memberId) => reviewMember(ctx, readings.get(memberId)!),
    around: (memberIds) => writeAround(ctx, memberIds, reviewAround(ctx, readings)),
    // Every member of the page up to a failure was reviewed, changed or not.
    counts: "rows",
  });
  return { left: walked.left };
};
