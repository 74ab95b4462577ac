// Job: expire points whose date has passed, and all points of members idle too long (inactivity policy).
import { sql } from "drizzle-orm";
import { addDays } from "../ledger/dates";
import { expireDue, type ExpiryResult } from "../ledger/expiry-ops";
import type { Plan } from "../ledger/state";
import { writeAround, type AroundWork } from "./around";
import { askMember, LEFT_COUNT_CAP, readCursor, type Job, type JobContext } from "./support";
import { walkMembers } from "./walk";

/** Asks the member's object to expire what is due, batch after batch; counts the lots it expired. */
async function expireMember(ctx: JobContext, memberId: string): Promise<number> {
  let lots = 0;
  for (;;) {
    const result = await askMember<ExpiryResult>(ctx, memberId, (object, call) => object.expirePoints(call));
    lots += result.lots;
    if (!result.more) return lots;
  }
}

/** Everything due of a member, batch after batch as the object writes it, each on the state the one before leaves. */
const expiry: AroundWork<ExpiryResult> = {
  plans: (state, ctx) => {
    const plans: Plan<ExpiryResult>[] = [];
    for (let plan = expireDue(state, ctx); plan; plan = plan.result.more ? expireDue(plan.nextState, ctx) : null) plans.push(plan);
    return plans;
  },
  items: (plans) => plans.reduce((sum, plan) => sum + plan.result.lots, 0),
};

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
 * again for the next run. Within a run the walk moves past it.
 */
function expireDatedLots(ctx: JobContext) {
  const now = ctx.now.toISOString();
  return walkMembers(ctx, {
    from: { expiresAt: "", id: "" },
    page: (after, limit) => ctx.db.all<{ member_id: string; expires_at: string; id: string }>(dueLotsPage(ctx.programId, now, after, limit)),
    key: (row) => ({ expiresAt: row.expires_at, id: row.id }),
    left: (at) => dueLotsPage(ctx.programId, now, at, LEFT_COUNT_CAP),
    member: (row) => row.member_id,
    visit: (memberId) => expireMember(ctx, memberId),
    around: (memberIds) => writeAround(ctx, memberIds, expiry),
  });
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
async function expireIdleMembers(ctx: JobContext, days: number) {
  const cutoff = addDays(ctx.now, -days).toISOString();
  return walkMembers(ctx, {
    cursor: INACTIVITY_CURSOR,
    from: (await readCursor<ActivityCursor>(ctx.db, INACTIVITY_CURSOR, ctx.programId)) ?? { lastActivityAt: "", memberId: "" },
    page: (after, limit) => ctx.db.all<{ member_id: string; last_activity_at: string }>(idleMembers(ctx.programId, cutoff, after, limit)),
    key: (row) => ({ lastActivityAt: row.last_activity_at, memberId: row.member_id }),
    left: (at) => idleMembers(ctx.programId, cutoff, at, LEFT_COUNT_CAP),
    member: (row) => row.member_id,
    visit: (memberId) => expireMember(ctx, memberId),
    around: (memberIds) => writeAround(ctx, memberIds, expiry),
  });
}

export const expirePoints: Job = async (ctx) => {
  // Dated lots first: whatever the policy is now, a lot keeps the date it was earned with.
  const dated = await expireDatedLots(ctx);
  const policy = ctx.settings.expiry;
  const idle = policy.policy === "inactivity" ? await expireIdleMembers(ctx, policy.days) : { left: 0 };
  return { left: dated.left + idle.left };
};
