// Job: lapse holds whose alarm was missed, and delete records past their retention.
import { sql } from "drizzle-orm";
import { addDays } from "../ledger/dates";
import { countCapped, hasBudget, LEFT_COUNT_CAP, memberCall, memberStub, spendBatch, type Job, type JobContext } from "./support";
import { walkMembers } from "./walk";

/** Job runs are kept this long for operators to look back on. */
const JOB_RUN_RETENTION_DAYS = 30;

/**
 * Open holds of the program past their time, after the keyset, on the partial
 * index of open holds. Named, because the planner would rather take the
 * program's redemptions by member and sort them all. Missed holds are few
 * (each hold's own alarm lapses it), so filtering by program on it is cheap.
 */
export function missedHoldsPage(programId: string, now: string, after: { at: string; id: string }, limit: number) {
  return sql`
    SELECT member_id, hold_expires_at, id FROM redemptions INDEXED BY redemptions_open_holds
    WHERE status = 'held' AND hold_expires_at <= ${now} AND program_id = ${programId}
      AND hold_expires_at >= ${after.at} AND (hold_expires_at > ${after.at} OR id > ${after.id})
    ORDER BY hold_expires_at, id LIMIT ${limit}`;
}

/**
 * Holds past their time, paged by (hold_expires_at, id). A lapsed hold leaves
 * the index, so each run starts at the front.
 */
function lapseMissedHolds(ctx: JobContext) {
  const now = ctx.now.toISOString();
  return walkMembers(ctx, {
    from: { at: "", id: "" },
    page: (after, limit) => ctx.db.all<{ member_id: string; hold_expires_at: string; id: string }>(missedHoldsPage(ctx.programId, now, after, limit)),
    key: (row) => ({ at: row.hold_expires_at, id: row.id }),
    left: (at) => missedHoldsPage(ctx.programId, now, at, LEFT_COUNT_CAP),
    member: (row) => row.member_id,
    // Lapsing answers with the ids of the holds it lapsed, not with a ledger reply.
    visit: async (memberId) => (await memberStub(ctx, memberId).lapseHolds(memberCall(ctx, memberId))).length,
  });
}

/** The program's rows of `table` whose `column` is at or before `before`, read on `index`. */
export function pastRetention(table: string, index: string, column: string, programId: string, before: string, limit: number) {
  return sql`
    SELECT rowid FROM ${sql.identifier(table)} INDEXED BY ${sql.identifier(index)}
    WHERE program_id = ${programId} AND ${sql.identifier(column)} <= ${before} LIMIT ${limit}`;
}

/** Deletes up to a batch of rows per statement while the budget lasts. */
async function deleteInBatches(ctx: JobContext, table: string, index: string, column: string, before: string): Promise<void> {
  while (hasBudget(ctx.budget)) {
    const rows = pastRetention(table, index, column, ctx.programId, before, ctx.budget.batchSize);
    const result = await ctx.db.run(sql`DELETE FROM ${sql.identifier(table)} WHERE rowid IN (${rows})`);
    const deleted = result.meta.changes ?? 0;
    if (deleted > 0) spendBatch(ctx.budget);
    ctx.tally.done += deleted;
    if (deleted < ctx.budget.batchSize) return;
  }
}

export const housekeeping: Job = async (ctx) => {
  const now = ctx.now.toISOString();
  const holds = await lapseMissedHolds(ctx);
  // Replays are promised for 24 hours; each record carries its own expiry.
  await deleteInBatches(ctx, "idempotency_keys", "idempotency_keys_expiry", "expires_at", now);
  // A warning only guards dates still ahead; a day's margin keeps clocks out of it.
  await deleteInBatches(ctx, "expiry_warnings", "expiry_warnings_by_date", "expires_at", addDays(ctx.now, -1).toISOString());
  const oldRuns = addDays(ctx.now, -JOB_RUN_RETENTION_DAYS).toISOString();
  await deleteInBatches(ctx, "job_runs", "job_runs_by_program", "started_at", oldRuns);
  const keys = await countCapped(ctx.db, pastRetention("idempotency_keys", "idempotency_keys_expiry", "expires_at", ctx.programId, now, LEFT_COUNT_CAP));
  return { left: holds.left + keys };
};
