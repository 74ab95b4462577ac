// Job: lapse holds whose alarm was missed, and delete records past their retention.
import { sql } from "drizzle-orm";
import { addDays } from "../ledger/dates";
import {
  countCapped,
  distinct,
  forEachMember,
  hasBudget,
  LEFT_COUNT_CAP,
  memberCall,
  memberStub,
  spendBatch,
  type Job,
  type JobContext,
} from "./support";

/** Job runs are kept this long for operators to look back on. */
const JOB_RUN_RETENTION_DAYS = 30;

/**
 * Holds past their time, paged by (hold_expires_at, id) on the partial index
 * of open holds. A lapsed hold leaves that index, so each run starts at the front.
 */
async function lapseMissedHolds(ctx: JobContext): Promise<void> {
  const now = ctx.now.toISOString();
  let after = { at: "", id: "" };
  while (hasBudget(ctx.budget)) {
    const rows = await ctx.db.all<{ member_id: string; hold_expires_at: string; id: string }>(sql`
      SELECT member_id, hold_expires_at, id FROM redemptions
      WHERE status = 'held' AND hold_expires_at <= ${now} AND program_id = ${ctx.programId}
        AND hold_expires_at >= ${after.at} AND (hold_expires_at > ${after.at} OR id > ${after.id})
      ORDER BY hold_expires_at, id LIMIT ${ctx.budget.batchSize}`);
    if (rows.length === 0) return;
    spendBatch(ctx.budget);
    await forEachMember(ctx, distinct(rows.map((r) => r.member_id)), async (memberId) => {
      return (await memberStub(ctx, memberId).lapseHolds(memberCall(ctx, memberId))).length;
    });
    if (rows.length < ctx.budget.batchSize) return;
    const last = rows[rows.length - 1]!;
    after = { at: last.hold_expires_at, id: last.id };
  }
}

/** Deletes up to a batch of rows per statement while the budget lasts. */
async function deleteInBatches(ctx: JobContext, table: string, column: string, before: string): Promise<void> {
  while (hasBudget(ctx.budget)) {
    const result = await ctx.db.run(sql`
      DELETE FROM ${sql.identifier(table)} WHERE rowid IN (
        SELECT rowid FROM ${sql.identifier(table)}
        WHERE program_id = ${ctx.programId} AND ${sql.identifier(column)} <= ${before} LIMIT ${ctx.budget.batchSize})`);
    const deleted = result.meta.changes ?? 0;
    if (deleted > 0) spendBatch(ctx.budget);
    ctx.tally.done += deleted;
    if (deleted < ctx.budget.batchSize) return;
  }
}

export const housekeeping: Job = async (ctx) => {
  const now = ctx.now.toISOString();
  await lapseMissedHolds(ctx);
  // Replays are promised for 24 hours; each record carries its own expiry.
  await deleteInBatches(ctx, "idempotency_keys", "expires_at", now);
  // A warning only guards dates still ahead; a day's margin keeps clocks out of it.
  await deleteInBatches(ctx, "expiry_warnings", "expires_at", addDays(ctx.now, -1).toISOString());
  await deleteInBatches(ctx, "job_runs", "started_at", addDays(ctx.now, -JOB_RUN_RETENTION_DAYS).toISOString());
  const [holds, keys] = await Promise.all([
    countCapped(ctx.db, sql`SELECT 1 FROM redemptions WHERE status = 'held' AND hold_expires_at <= ${now} AND program_id = ${ctx.programId} LIMIT ${LEFT_COUNT_CAP}`),
    countCapped(ctx.db, sql`SELECT 1 FROM idempotency_keys WHERE program_id = ${ctx.programId} AND expires_at <= ${now} LIMIT ${LEFT_COUNT_CAP}`),
  ]);
  return { left: holds + keys };
};
