// Job: one `points.expiring` event per member and expiry date, the program's lead time ahead.
import { sql } from "drizzle-orm";
import { addDays } from "../ledger/dates";
import type { ExpiringPoints } from "../ledger/expiry-ops";
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

async function warnMember(ctx: JobContext, memberId: string): Promise<number> {
  const result = replyValue<{ warnings: ExpiringPoints[] }>(await memberStub(ctx, memberId).warnExpiring(memberCall(ctx, memberId)));
  return result.warnings.length;
}

/**
 * Walks a keyset (`sortKey`, member) from a saved cursor with `page`, warning
 * each page's members; the cursor never passes a member whose call failed.
 * Returns how many candidates are left after the cursor.
 */
async function walk<R extends { member_id: string; sort_key: string }>(
  ctx: JobContext,
  cursorName: string,
  page: (after: { sortKey: string; id: string }, limit: number) => ReturnType<typeof sql>,
  idOf: (row: R) => string,
): Promise<number> {
  let after = (await readCursor<{ sortKey: string; id: string }>(ctx.db, cursorName, ctx.programId)) ?? { sortKey: "", id: "" };
  while (hasBudget(ctx.budget)) {
    const rows = await ctx.db.all<R>(page(after, ctx.budget.batchSize));
    if (rows.length === 0) break;
    spendBatch(ctx.budget);
    const failed = await forEachMember(ctx, distinct(rows.map((r) => r.member_id)), (memberId) => warnMember(ctx, memberId));
    const { last, stop } = processedPrefix(rows, failed);
    if (last) {
      after = { sortKey: last.sort_key, id: idOf(last) };
      await writeCursor(ctx.db, cursorName, ctx.programId, after, ctx.now);
    }
    if (stop || rows.length < ctx.budget.batchSize) break;
  }
  return countCapped(ctx.db, page(after, LEFT_COUNT_CAP));
}

/**
 * Lots whose date falls within the lead time, by (expires_at, id) from the
 * saved cursor, so each lot is looked at once as the window moves on. The
 * member's object warns every date of the member in the window at once.
 * A lot earned inside the window with a date before the cursor (a rolling
 * expiry shorter than the lead time) is not looked at: it is warned only
 * along with a later date of the same member.
 */
export function lotsInWindow(programId: string, at: Date, lead: number) {
  const now = at.toISOString();
  const horizon = addDays(at, lead).toISOString();
  return (after: { sortKey: string; id: string }, limit: number) => sql`
    SELECT member_id, expires_at AS sort_key, id FROM lots
    WHERE program_id = ${programId} AND remaining > 0 AND expires_at > ${now} AND expires_at <= ${horizon}
      AND expires_at >= ${after.sortKey} AND (expires_at > ${after.sortKey} OR id > ${after.id})
    ORDER BY expires_at, id LIMIT ${limit}`;
}

/** Under the inactivity policy: members whose idle deadline falls within the lead time and who hold points. */
export function idleSoon(programId: string, at: Date, days: number, lead: number) {
  const expiredBefore = addDays(at, -days).toISOString();
  const warnFrom = addDays(at, lead - days).toISOString();
  return (after: { sortKey: string; id: string }, limit: number) => sql`
    SELECT m.member_id, m.last_activity_at AS sort_key FROM members m
    WHERE m.program_id = ${programId} AND m.last_activity_at > ${expiredBefore} AND m.last_activity_at <= ${warnFrom}
      AND m.last_activity_at >= ${after.sortKey} AND (m.last_activity_at > ${after.sortKey} OR m.member_id > ${after.id})
      AND EXISTS (SELECT 1 FROM lots l WHERE l.program_id = m.program_id AND l.member_id = m.member_id AND l.remaining > 0)
    ORDER BY m.last_activity_at, m.member_id LIMIT ${limit}`;
}

export const warnExpiring: Job = async (ctx) => {
  const lead = ctx.settings.expiryWarning?.daysBefore;
  if (!lead) return { left: 0 };
  const policy = ctx.settings.expiry;
  if (policy.policy === "inactivity") {
    return { left: await walk<{ member_id: string; sort_key: string }>(ctx, "warn-expiring:inactivity", idleSoon(ctx.programId, ctx.now, policy.days, lead), (r) => r.member_id) };
  }
  return { left: await walk<{ member_id: string; sort_key: string; id: string }>(ctx, "warn-expiring:lots", lotsInWindow(ctx.programId, ctx.now, lead), (r) => r.id) };
};
