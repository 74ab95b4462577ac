// Job: queue the outbox events that were committed but never sent (the object died or the queue refused them).
import { sql } from "drizzle-orm";
import { countCapped, hasBudget, LEFT_COUNT_CAP, spendBatch, type Job } from "../jobs/support";
import { fromRow } from "./events";
import { publish } from "./outbox";

/** The member's object sends right after its commit; an event unsent for this long was never going to be. */
export const SWEEP_GRACE_MS = 60_000;

/**
 * The program's unsent events committed before `cutoff`, oldest first, on the
 * partial index of unsent rows. Named, because the planner would rather take
 * every row of the program; unsent rows are few, so filtering them by program
 * is cheap.
 */
export function unsentPage(programId: string, cutoff: string, limit: number) {
  return sql`
    SELECT id, program_id AS programId, member_id AS memberId, partner_id AS partnerId, type, payload, created_at AS createdAt
    FROM outbox_events INDEXED BY outbox_unsent
    WHERE sent_at IS NULL AND created_at <= ${cutoff} AND program_id = ${programId}
    ORDER BY created_at, id LIMIT ${limit}`;
}

/**
 * A sent row leaves the index, so every page starts at the front and no
 * cursor is kept. Two overlapping runs may both queue a row: receivers see it
 * twice with the same `webhook-id`. A failed send stops the run; its rows stay
 * for the next.
 */
export const sweepOutbox: Job = async (ctx) => {
  const cutoff = new Date(ctx.now.getTime() - SWEEP_GRACE_MS).toISOString();
  while (hasBudget(ctx.budget)) {
    const rows = await ctx.db.all<Parameters<typeof fromRow>[0]>(unsentPage(ctx.programId, cutoff, ctx.budget.batchSize));
    if (rows.length === 0) break;
    spendBatch(ctx.budget);
    await publish(ctx.env, ctx.db, rows.map(fromRow));
    ctx.tally.done += rows.length;
    if (rows.length < ctx.budget.batchSize) break;
  }
  return { left: await countCapped(ctx.db, unsentPage(ctx.programId, cutoff, LEFT_COUNT_CAP)) };
};
