// Job: a daily pass over the program's members with a tier or qualifying points, reviewing each tier.
import { and, asc, eq, gt, isNotNull, or, sql } from "drizzle-orm";
import { members } from "../db/schema";
import { decideTier, sameTierFields } from "../ledger/tier-review";
import { readQualifying } from "../members/job-reads";
import {
  countCapped,
  forEachMember,
  LEFT_COUNT_CAP,
  memberCall,
  memberStub,
  hasBudget,
  processedPrefix,
  readCursor,
  replyValue,
  spendBatch,
  writeCursor,
  type Job,
  type JobContext,
} from "./support";

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
  replyValue(await memberStub(ctx, memberId).reviewTier(memberCall(ctx, memberId)));
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
  }
  while (hasBudget(ctx.budget)) {
    const rows = await db
      .select()
      .from(members)
      .where(candidates(programId, pass.afterMemberId))
      .orderBy(asc(members.memberId))
      .limit(ctx.budget.batchSize);
    if (rows.length === 0) {
      pass = { ...pass, finished: true };
      break;
    }
    spendBatch(ctx.budget);
    const totals = await readQualifying(db, programId, rows[0]!.memberId, rows[rows.length - 1]!.memberId, settings, now);
    const changing = rows
      .filter((row) => !sameTierFields(row, decideTier(row, totals ? (totals.get(row.memberId) ?? 0) : null, settings, now)))
      .map((row) => row.memberId);
    const failed = await forEachMember(ctx, changing, (memberId) => reviewMember(ctx, memberId));
    const { last, stop } = processedPrefix(rows.map((row) => ({ member_id: row.memberId })), failed);
    // Every member of the page up to a failure was reviewed, changed or not.
    const reviewed = last ? rows.findIndex((row) => row.memberId === last.member_id) + 1 : 0;
    ctx.tally.done += reviewed;
    if (last) {
      pass = { ...pass, afterMemberId: last.member_id, finished: !stop && rows.length < ctx.budget.batchSize };
      await writeCursor(db, CURSOR, programId, pass, now);
    }
    if (stop || pass.finished) break;
  }
  if (pass.finished || pass.afterMemberId === "") await writeCursor(db, CURSOR, programId, pass, now);
  if (pass.finished) return { left: 0 };
  return { left: await countCapped(db, sql`SELECT 1 FROM members WHERE ${candidates(programId, pass.afterMemberId)} LIMIT ${LEFT_COUNT_CAP}`) };
};
