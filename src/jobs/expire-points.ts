// Job: expire points whose date has passed, and all points of members idle too long (inactivity policy).
import { sql } from "drizzle-orm";
import { addDays } from "../ledger/dates";
import type { ExpiryResult } from "../ledger/expiry-ops";
import {
  countCapped,
  distinct,
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

/** Asks the member's object to expire what is due, batch after batch; counts the lots it expired. */
async function expireMember(ctx: JobContext, memberId: string): Promise<number> {
  let lots = 0;
  for (;;) {
    const result = replyValue<ExpiryResult>(await memberStub(ctx, memberId).expirePoints(memberCall(ctx, memberId)));
    lots += result.lots;
    if (!result.more) return lots;
  }
}

/** Open lots of the program due by `now`, after the keyset, in order of lots_open_by_program_expiry. */
export function dueLotsPage(programId: string, now: string, after: { expiresAt: string; id: string }, limit: number) {
  return sql`
    SELECT member_id, expires_at, id FROM lots
    WHERE program_id = ${programId} AND remaining > 0 AND expires_at <= ${now}
      AND expires_at >= ${after.expiresAt} AND (expires_at > ${after.expiresAt} OR id > ${after.id})
    ORDER BY expires_at, id LIMIT ${limit}`;
}

/**
 * Lots with a date, paged by (expires_at, id) on the partial index of open
 * lots. An expired lot leaves that index, so no cursor is kept between runs:
 * each run starts at the front, and what a failed member left behind is there
 * again for the next run. Within a run the keyset moves past it.
 */
async function expireDatedLots(ctx: JobContext): Promise<void> {
  const now = ctx.now.toISOString();
  let after = { expiresAt: "", id: "" };
  while (hasBudget(ctx.budget)) {
    const rows = await ctx.db.all<{ member_id: string; expires_at: string; id: string }>(dueLotsPage(ctx.programId, now, after, ctx.budget.batchSize));
    if (rows.length === 0) return;
    spendBatch(ctx.budget);
    await forEachMember(ctx, distinct(rows.map((r) => r.member_id)), (memberId) => expireMember(ctx, memberId));
    if (rows.length < ctx.budget.batchSize) return;
    const last = rows[rows.length - 1]!;
    after = { expiresAt: last.expires_at, id: last.id };
  }
}

interface ActivityCursor {
  lastActivityAt: string;
  memberId: string;
}

/** Members of the program idle since `cutoff` or longer who still hold points, after the cursor. */
export function idleMembers(programId: string, cutoff: string, after: ActivityCursor, limit: number) {
  return sql`
    SELECT m.member_id, m.last_activity_at FROM members m
    WHERE m.program_id = ${programId} AND m.last_activity_at <= ${cutoff}
      AND m.last_activity_at >= ${after.lastActivityAt} AND (m.last_activity_at > ${after.lastActivityAt} OR m.member_id > ${after.memberId})
      AND EXISTS (SELECT 1 FROM lots l WHERE l.program_id = m.program_id AND l.member_id = m.member_id AND l.remaining > 0)
    ORDER BY m.last_activity_at, m.member_id LIMIT ${limit}`;
}

const INACTIVITY_CURSOR = "expire-points:inactivity";

/**
 * Members idle past the program's limit, walked by last activity with a
 * cursor kept between runs: activity only moves a member forward, past the
 * cursor, so a member behind it has been handled for good.
 */
async function expireIdleMembers(ctx: JobContext, days: number): Promise<number> {
  const cutoff = addDays(ctx.now, -days).toISOString();
  let after = (await readCursor<ActivityCursor>(ctx.db, INACTIVITY_CURSOR, ctx.programId)) ?? { lastActivityAt: "", memberId: "" };
  while (hasBudget(ctx.budget)) {
    const rows = await ctx.db.all<{ member_id: string; last_activity_at: string }>(idleMembers(ctx.programId, cutoff, after, ctx.budget.batchSize));
    if (rows.length === 0) break;
    spendBatch(ctx.budget);
    const failed = await forEachMember(ctx, rows.map((r) => r.member_id), (memberId) => expireMember(ctx, memberId));
    const { last, stop } = processedPrefix(rows, failed);
    if (last) {
      after = { lastActivityAt: last.last_activity_at, memberId: last.member_id };
      await writeCursor(ctx.db, INACTIVITY_CURSOR, ctx.programId, after, ctx.now);
    }
    if (stop || rows.length < ctx.budget.batchSize) break;
  }
  return countCapped(ctx.db, idleMembers(ctx.programId, cutoff, after, LEFT_COUNT_CAP));
}

export const expirePoints: Job = async (ctx) => {
  // Dated lots first: whatever the policy is now, a lot keeps the date it was earned with.
  await expireDatedLots(ctx);
  const policy = ctx.settings.expiry;
  const idleLeft = policy.policy === "inactivity" ? await expireIdleMembers(ctx, policy.days) : 0;
  const datedLeft = await countCapped(ctx.db, dueLotsPage(ctx.programId, ctx.now.toISOString(), { expiresAt: "", id: "" }, LEFT_COUNT_CAP));
  return { left: datedLeft + idleLeft };
};
